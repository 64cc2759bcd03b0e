// vector_type: the number types dense and ColBERT vectors can be sent in, as
// sentence-transformers' quantize_embeddings defines them (float16, the
// calibrated int8/uint8 scalar quantization, the sign-bit binary/ubinary).
// Pure functions from one float32 vector (or one ColBERT row) to its values
// and its bytes; the byte layout is the one schema.json describes.
import { float16BitsToNumber, numberToFloat16Bits } from '../engine/torch/float16.ts';
import type { Input } from './schema-types.ts';

export type VectorType = Input['vector_type'];

/** Per-dimension minimum and maximum over a calibration set. */
export interface Ranges {
  min: number[];
  max: number[];
}

/** The types whose values depend on a calibration. */
export function needsCalibration(type: VectorType): boolean {
  return type === 'int8' || type === 'uint8';
}

/** One vector in `type`: its values (for JSON) and its bytes (for base64). */
export interface Quantized {
  values: number[];
  bytes: Uint8Array;
}

export function quantize(vector: Float32Array, type: VectorType, ranges?: Ranges): Quantized {
  switch (type) {
    case 'float32':
      return { values: Array.from(vector), bytes: new Uint8Array(Float32Array.from(vector).buffer) };
    case 'float16':
      return toFloat16(vector);
    case 'uint8':
    case 'int8':
      if (!ranges) throw new Error(`vector_type ${type} needs calibration ranges`);
      return toScalar(vector, ranges, type === 'int8');
    case 'ubinary':
    case 'binary':
      return toBinary(vector, type === 'binary');
  }
}

function toFloat16(vector: Float32Array): Quantized {
  const bytes = new Uint8Array(vector.length * 2);
  const view = new DataView(bytes.buffer);
  const values = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const bits = numberToFloat16Bits(vector[i]);
    view.setUint16(i * 2, bits, true);
    values[i] = float16BitsToNumber(bits);
  }
  return { values, bytes };
}

/** q = clip(floor((x - min) / step), 0, 255), step = (max - min) / 255 or 1; int8 is q - 128. */
function toScalar(vector: Float32Array, ranges: Ranges, signed: boolean): Quantized {
  if (ranges.min.length !== vector.length) throw new Error(`calibration has ${ranges.min.length} dimensions, the vector ${vector.length}`);
  const bytes = new Uint8Array(vector.length);
  const values = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const start = ranges.min[i];
    const step = (ranges.max[i] - start) / 255 || 1;
    const q = Math.min(255, Math.max(0, Math.floor((vector[i] - start) / step)));
    values[i] = signed ? q - 128 : q;
    bytes[i] = signed ? (q - 128) & 0xff : q;
  }
  return { values, bytes };
}

/** The bits x > 0, most significant first, 8 a byte (numpy packbits); binary is each byte - 128. */
function toBinary(vector: Float32Array, signed: boolean): Quantized {
  const n = Math.ceil(vector.length / 8);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < vector.length; i++) if (vector[i] > 0) bytes[i >> 3] |= 0x80 >> (i & 7);
  const values = Array.from(bytes, (b) => (signed ? b - 128 : b));
  if (signed) for (let i = 0; i < n; i++) bytes[i] = (bytes[i] - 128) & 0xff;
  return { values, bytes };
}

/**
 * What score_compact compares for vector_type `type`: as floats, the vector a
 * database holding `type` scores with. float16: the halves. int8/uint8: each
 * code decoded to the middle of its step, min + (q + 0.5) · step (q the uint8
 * code; int8 decodes the same), as faiss's 8-bit ScalarQuantizer does, so a dot
 * product of two decoded vectors approximates the float one. binary/ubinary:
 * each bit as ±1/√n (n the vector's length), so a dot product is 1 − 2·h/n with
 * h the Hamming distance: the cosine of the sign vectors, on the same scale as
 * the float scores, and the order Hamming distance ranks in.
 */
export function scoringVector(vector: Float32Array, type: VectorType, ranges?: Ranges): Float32Array {
  switch (type) {
    case 'float32':
      return vector;
    case 'float16':
      return Float32Array.from(toFloat16(vector).values);
    case 'uint8':
    case 'int8': {
      if (!ranges) throw new Error(`vector_type ${type} needs calibration ranges`);
      const q = toScalar(vector, ranges, false).values;
      return Float32Array.from(q, (code, i) => ranges.min[i] + (code + 0.5) * ((ranges.max[i] - ranges.min[i]) / 255 || 1));
    }
    case 'ubinary':
    case 'binary': {
      const unit = 1 / Math.sqrt(vector.length);
      return Float32Array.from(vector, (x) => (x > 0 ? unit : -unit));
    }
  }
}

/** scoringVector of each `dim`-wide row of `flat` (ColBERT rows, each with the ColBERT ranges). */
export function scoringRows(flat: Float32Array, dim: number, type: VectorType, ranges?: Ranges): Float32Array {
  if (type === 'float32') return flat;
  const out = new Float32Array(flat.length);
  for (let r = 0; r < flat.length; r += dim) out.set(scoringVector(flat.subarray(r, r + dim), type, ranges), r);
  return out;
}
