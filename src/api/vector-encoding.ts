// Vectors as base64 strings: the little-endian float32 bytes of each vector,
// the form OpenAI, TEI and Infinity send for `encoding_format: "base64"`.
// A float32 survives the trip exactly; the JSON is about a quarter the size
// (BENCHMARKS.md, vector_encoding).

import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeFloat32Base64(values: ArrayLike<number>): string {
  // A Float32Array already holds the bytes on a little-endian machine (a ColBERT answer is millions of floats).
  if (LITTLE_ENDIAN && values instanceof Float32Array) return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes.toString('base64');
}

/** Inverse of encodeFloat32Base64; throws on a string that is not whole float32s. */
export function decodeFloat32Base64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`base64 vector of ${bytes.length} bytes is not a whole number of float32s`);
  if (LITTLE_ENDIAN) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}
