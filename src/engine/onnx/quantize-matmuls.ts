// Dynamic int8 quantization of an encoder's weight MatMuls, on the ONNX graph:
// each MatMul(activation, W) with W a rank-2 float initializer inside the
// encoder becomes an onnxruntime integer product whose activation is quantized
// at run time (uint8, per tensor, by onnxruntime) and whose weight is stored
// as int8, symmetric, with one scale per output column (or one per tensor).
// A bias Add right after the MatMul is folded into the new node.
//
// "Inside the encoder" is found from the dataflow, not from names: the
// weights that every graph output depends on. Heads computed from the last
// hidden state (the sparse and ColBERT linears of exports with heads in the
// graph) each feed one output only, so they are left in fp32, as are the
// embedding lookups (Gather, not MatMul) and the activation×activation
// attention products (no initializer operand).
import onnxProto from 'onnx-proto';
import { dimsOf, floatValues } from './tensor-bytes.ts';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.IModelProto;
type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
const T = onnx.TensorProto.DataType;
const MS = 'com.microsoft';

/** Which onnxruntime operators carry the integer product (all give the same numbers). */
export type OperatorForm = 'dynamic-quantize-matmul' | 'matmul-integer-to-float' | 'matmul-integer';

export interface QuantizeOptions {
  form: OperatorForm;
  /** One scale per output column, or one for the whole weight. */
  perChannel: boolean;
  /** 'ffn': only the feed-forward weights (non-square); 'all': every weight MatMul of the encoder. */
  scope: 'all' | 'ffn';
  /** Weight storage: int8 (zero point 0) or uint8 (the same values shifted by a zero point of 128). */
  weightType: 'int8' | 'uint8';
  /** 7-bit weights (±63), onnxruntime's reduce_range, against the 16-bit overflow of VPMADDUBSW on CPUs without VNNI. */
  reduceRange: boolean;
}

// 7-bit int8 weights: they can never saturate the uint8 × int8 kernel (255 ·
// 63 · 2 < 32767), which on this AVX2 machine ran batches 1.25-1.35× faster
// than the uint8 × uint8 kernel that full 8-bit uint8 weights need; lone
// queries run the same. 8-bit uint8 weights deviate less from fp32 (half the
// 1 − cosine on the generated model) at that cost (BENCHMARKS.md, int8).
export const DEFAULT_QUANTIZE: QuantizeOptions = { form: 'dynamic-quantize-matmul', perChannel: true, scope: 'all', weightType: 'int8', reduceRange: true };

export interface QuantizeResult {
  /** MatMuls rewritten, and how many of them took their bias Add along. */
  quantized: number;
  biasesFolded: number;
  /** The fp32 weights that were replaced, by name. */
  replacedWeights: string[];
}

/** A weight MatMul of the encoder: the node, its weight initializer and its [in, out] dims. */
export interface WeightMatMul {
  node: Node;
  weight: Tensor;
  dims: [number, number];
}

/** The encoder's weight MatMuls (see the file comment), in graph order. */
export function findWeightMatMuls(graph: Graph): WeightMatMul[] {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const encoder = sharedAncestors(graph);
  const found: WeightMatMul[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'MatMul' || (node.domain ?? '') !== '' || !encoder.has(node)) continue;
    const w = inits.get(node.input![1]);
    if (!w || w.dataType !== T.FLOAT || inits.has(node.input![0])) continue;
    const dims = dimsOf(w);
    if (dims.length === 2) found.push({ node, weight: w, dims: [dims[0], dims[1]] });
  }
  return found;
}

/** Nodes that every graph output depends on (for one output: all its ancestors). */
function sharedAncestors(graph: Graph): Set<Node> {
  const producer = new Map<string, Node>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const perOutput = (graph.output ?? []).map((out) => {
    const seen = new Set<Node>();
    const stack = [out.name!];
    while (stack.length) {
      const n = producer.get(stack.pop()!);
      if (!n || seen.has(n)) continue;
      seen.add(n);
      for (const i of n.input ?? []) if (i) stack.push(i);
    }
    return seen;
  });
  if (perOutput.length === 0) return new Set();
  // biome-ignore lint/performance/noAccumulatingSpread: an intersection; each step copies the shrinking set once, not a growing array
  return perOutput.reduce((shared, seen) => new Set([...shared].filter((n) => seen.has(n))));
}

/**
 * Rewrites `model` in place. `modelDir` resolves external weights, which are
 * read one tensor at a time; the new int8 tensors are added inline (callers
 * move large initializers to external data when writing the model out).
 */
export function quantizeMatMuls(model: Model, modelDir: string, opts: QuantizeOptions = DEFAULT_QUANTIZE): QuantizeResult {
  const graph = model.graph!;
  const targets = findWeightMatMuls(graph).filter((m) => opts.scope === 'all' || m.dims[0] !== m.dims[1]);
  const consumers = consumerCounts(graph);
  const outputs = new Set((graph.output ?? []).map((o) => o.name!));
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const added = new Map<string, QuantizedWeight>();
  let biasesFolded = 0;
  for (const [k, { node, weight, dims }] of targets.entries()) {
    let q = added.get(weight.name!);
    if (!q) {
      q = quantizeWeight(floatValues(weight, modelDir), dims, opts, weight.name!);
      added.set(weight.name!, q);
      graph.initializer!.push(...q.tensors);
    }
    const bias = foldableBias(graph, node, inits, consumers, outputs, dims[1]);
    if (bias) biasesFolded++;
    const output = bias ? bias.add.output![0] : node.output![0];
    const replacement = integerNodes(opts.form, `bge_m3_int8_${k}`, node.input![0], q, bias?.name ?? '', output);
    graph.node!.splice(graph.node!.indexOf(node), 1, ...replacement);
    if (bias) graph.node!.splice(graph.node!.indexOf(bias.add), 1);
  }
  const replacedWeights = dropUnused(graph, [...added.keys()]);
  const live = new Set((graph.node ?? []).flatMap((n) => n.output ?? []));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => live.has(v.name!));
  if (targets.length && !model.opsetImport!.some((o) => o.domain === MS)) model.opsetImport!.push({ domain: MS, version: 1 });
  return { quantized: targets.length, biasesFolded, replacedWeights };
}

interface QuantizedWeight {
  weight: string;
  scale: string;
  zeroPoint: string;
  tensors: Tensor[];
}

/** Symmetric quantization of W [in, out]: q = round(W / s), s = max|W| / 127 per column (or per tensor). */
export function quantizeWeight(w: Float32Array, [rows, cols]: [number, number], opts: QuantizeOptions, name: string): QuantizedWeight {
  const qmax = opts.reduceRange ? 63 : 127;
  const maxAbs = new Float32Array(opts.perChannel ? cols : 1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = opts.perChannel ? c : 0;
      const a = Math.abs(w[r * cols + c]);
      if (a > maxAbs[k]) maxAbs[k] = a;
    }
  }
  const scale = maxAbs.map((m) => (m > 0 ? m / qmax : 1));
  const shift = opts.weightType === 'uint8' ? 128 : 0;
  const q = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = Math.max(-qmax, Math.min(qmax, Math.round(w[r * cols + c] / scale[opts.perChannel ? c : 0])));
      q[r * cols + c] = (v + shift) & 0xff;
    }
  }
  const elem = opts.weightType === 'uint8' ? T.UINT8 : T.INT8;
  const scaleDims = opts.perChannel ? [cols] : [];
  const n = { weight: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point` };
  const zp = new Uint8Array(scale.length).fill(shift);
  return {
    ...n,
    tensors: [
      { name: n.weight, dims: [rows, cols], dataType: elem, rawData: q },
      { name: n.scale, dims: scaleDims, dataType: T.FLOAT, rawData: new Uint8Array(scale.buffer) },
      { name: n.zeroPoint, dims: scaleDims, dataType: elem, rawData: zp },
    ],
  };
}

/** The bias of an Add(MatMul output, bias[out]) that only this MatMul feeds. */
function foldableBias(
  graph: Graph,
  node: Node,
  inits: Map<string, Tensor>,
  consumers: Map<string, number>,
  outputs: Set<string>,
  cols: number,
): { add: Node; name: string } | null {
  const y = node.output![0];
  if (consumers.get(y) !== 1 || outputs.has(y)) return null;
  const add = (graph.node ?? []).find((n) => n.opType === 'Add' && (n.input ?? []).includes(y));
  if (!add || (add.domain ?? '') !== '') return null;
  const other = add.input![0] === y ? add.input![1] : add.input![0];
  const b = inits.get(other);
  if (!b || b.dataType !== T.FLOAT) return null;
  const dims = dimsOf(b);
  return dims.length === 1 && dims[0] === cols ? { add, name: other } : null;
}

const node = (opType: string, input: string[], output: string[], domain = '', attribute: onnxProto.onnx.IAttributeProto[] = []): Node => ({
  opType,
  input,
  output,
  name: output[0],
  domain,
  attribute,
});

/** The nodes computing output = dequantized(quantize(x) · W) + bias, in the chosen operator form. */
function integerNodes(form: OperatorForm, p: string, x: string, q: QuantizedWeight, bias: string, output: string): Node[] {
  if (form === 'dynamic-quantize-matmul') return [node('DynamicQuantizeMatMul', [x, q.weight, q.scale, q.zeroPoint, bias], [output], MS)];
  const [xq, xs, xzp] = [`${p}_x_quantized`, `${p}_x_scale`, `${p}_x_zero_point`];
  const quantizeX = node('DynamicQuantizeLinear', [x], [xq, xs, xzp]);
  if (form === 'matmul-integer-to-float') {
    return [quantizeX, node('MatMulIntegerToFloat', [xq, q.weight, xs, q.scale, xzp, q.zeroPoint, bias], [output], MS)];
  }
  const scaled = bias ? `${p}_scaled` : output;
  const nodes = [
    quantizeX,
    node('MatMulInteger', [xq, q.weight, xzp, q.zeroPoint], [`${p}_int32`]),
    node('Cast', [`${p}_int32`], [`${p}_float`], '', [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }]),
    node('Mul', [xs, q.scale], [`${p}_scale`]),
    node('Mul', [`${p}_float`, `${p}_scale`], [scaled]),
  ];
  if (bias) nodes.push(node('Add', [scaled, bias], [output]));
  return nodes;
}

function consumerCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) if (i) counts.set(i, (counts.get(i) ?? 0) + 1);
  return counts;
}

/** Removes the listed initializers no node reads any more; returns the removed names. */
function dropUnused(graph: Graph, names: string[]): string[] {
  const used = consumerCounts(graph);
  const gone = new Set(names.filter((n) => !used.has(n)));
  graph.initializer = (graph.initializer ?? []).filter((t) => !gone.has(t.name!));
  graph.input = (graph.input ?? []).filter((i) => !gone.has(i.name!));
  return [...gone];
}

/** Counts of nodes by op type, for the setup log and the tests. */
export function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of graph.node ?? []) counts[n.opType!] = (counts[n.opType!] ?? 0) + 1;
  return counts;
}
