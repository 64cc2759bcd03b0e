// Builds small ONNX graphs in memory: the BGE-M3 head graph at setup, and the
// generated test models. Initializers above a size threshold can be written as
// external data, the way the official BAAI export stores its weights.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export const DataType = onnx.TensorProto.DataType;
type ElemType = onnxProto.onnx.TensorProto.DataType;
export type Dim = number | string;
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;

/** An attribute: an integral number is INT, any other FLOAT; an array is INTS. */
export type AttrValue = number | string | number[];

/** Where an initializer's bytes already sit in an external data file. */
export interface ExternalLocation {
  location: string;
  offset: number;
  length: number;
}

type Initializer =
  | { name: string; data: TensorData; dims: number[]; type: ElemType }
  | { name: string; external: ExternalLocation; dims: number[]; type: ElemType };

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inits: Initializer[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Adds a weight or constant tensor; returns its name. */
  init(name: string, data: TensorData, dims: number[]): string {
    this.inits.push({ name, data, dims, type: elemTypeOf(data) });
    return name;
  }

  /**
   * Declares a weight whose bytes the caller has already written to an external
   * data file (used to stream models too large to hold twice in memory). Do not
   * pass the same file name to build()'s `externalData`: its offsets start at 0.
   */
  externalInit(name: string, type: ElemType, dims: number[], where: ExternalLocation): string {
    this.inits.push({ name, external: where, dims, type });
    return name;
  }

  /** Adds a node and returns its single output's name (or the given one). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.opMulti(opType, inputs, [output ?? this.fresh(opType)], attrs)[0];
  }

  opMulti(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): string[] {
    const attribute = Object.entries(attrs).map(([k, v]) => attribute_(k, v));
    this.nodes.push({ opType, input: inputs, output: outputs, name: `${opType}_${this.counter++}`, attribute });
    return outputs;
  }

  fresh(prefix: string): string {
    return `${prefix.toLowerCase()}_${this.counter++}`;
  }

  /**
   * Serializes the model. With `externalData`, initializers of at least
   * `threshold` bytes are left out of the protobuf and returned as chunks to be
   * written, in order, to a file of that name beside the model.
   */
  build(opts: { opset?: number; externalData?: string; threshold?: number; graphName?: string } = {}): { model: Uint8Array; external: Uint8Array[] } {
    const external: Uint8Array[] = [];
    let offset = 0;
    const initializer = this.inits.map((t) => {
      if ('external' in t) return externalTensor(t.name, t.type, t.dims, t.external);
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const proto: onnxProto.onnx.ITensorProto = { name: t.name, dims: t.dims, dataType: t.type };
      if (opts.externalData && bytes.byteLength >= (opts.threshold ?? 1024)) {
        proto.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        proto.externalData = [
          { key: 'location', value: opts.externalData },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ];
        external.push(bytes);
        offset += bytes.byteLength;
      } else {
        proto.rawData = bytes;
      }
      return proto;
    });
    const graph = { name: opts.graphName ?? 'graph', node: this.nodes, initializer, input: this.inputs, output: this.outputs };
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'bge-m3-cog',
      opsetImport: [{ domain: '', version: opts.opset ?? 17 }],
      graph,
    });
    return { model: onnx.ModelProto.encode(model).finish(), external };
  }
}

function externalTensor(name: string, dataType: ElemType, dims: number[], where: ExternalLocation): onnxProto.onnx.ITensorProto {
  return {
    name,
    dims,
    dataType,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: where.location },
      { key: 'offset', value: String(where.offset) },
      { key: 'length', value: String(where.length) },
    ],
  };
}

function valueInfo(name: string, elemType: ElemType, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function elemTypeOf(data: TensorData): ElemType {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Uint16Array) return DataType.FLOAT16;
  return DataType.BOOL;
}

function attribute_(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  return { name, type: T.INTS, ints: v };
}
