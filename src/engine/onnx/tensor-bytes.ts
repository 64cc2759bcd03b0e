// Where an ONNX initializer's bytes are: inside the protobuf (raw_data or
// float_data) or in an external data file beside the model, read on demand so
// that a 2.3 GB model never sits in memory whole.
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Long = { toNumber(): number };

export function num(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function dimsOf(t: Tensor): number[] {
  return (t.dims ?? []).map(num);
}

export interface ExternalRef {
  file: string;
  offset: number;
  length: number;
}

/** The external file range of a tensor (absolute path), or null when its bytes are inline. */
export function externalRef(t: Tensor, modelDir: string): ExternalRef | null {
  if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return null;
  const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value ?? undefined;
  const location = entry('location');
  if (!location) throw new Error(`initializer ${t.name} is external but names no file`);
  const offset = Number(entry('offset') ?? 0);
  const length = entry('length') !== undefined ? Number(entry('length')) : dimsOf(t).reduce((a, b) => a * b, 4);
  return { file: path.resolve(modelDir, location), offset, length };
}

/** Reads `length` bytes at `offset` of a file. */
export function readRange(file: string, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`${file} ends before byte ${offset + length}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A float32 initializer's values, wherever they are stored. */
export function floatValues(t: Tensor, modelDir: string): Float32Array {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) throw new Error(`initializer ${t.name} is not float32`);
  const ref = externalRef(t, modelDir);
  if (ref) return new Float32Array(readRange(ref.file, ref.offset, ref.length).buffer);
  if (t.rawData && t.rawData.byteLength > 0) {
    const copy = new Uint8Array(t.rawData.byteLength); // aligned, and not a view of a shared Buffer pool
    copy.set(t.rawData);
    return new Float32Array(copy.buffer);
  }
  return Float32Array.from(t.floatData ?? []);
}
