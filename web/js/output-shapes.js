// The views read vectors as number arrays and sparse weights as
// {key: weight} with lexical_tokens naming the keys. An output asked for in
// another shape (vector_encoding "base64", sparse_format "indices_values" or
// "tokens") is turned back into that here; the raw JSON view keeps what the
// server sent. base64 and indices_values decode exactly. "tokens" has no ids
// left (ids with the same text were merged), so its keys stay the keys and
// lexical_tokens names each by its text. Base64 vectors of another vector_type
// read as that type's numbers (half floats, int8 or uint8 bytes), the values its
// "float" encoding would send. No DOM here: the Node tests import it.

/**
 * @param {any} output a prediction's output, in any shape
 * @param {string} [sparseFormat] the sparse_format asked for ("dict" when absent)
 * @param {string} [vectorType] the vector_type asked for ("float32" when absent)
 * @returns {any} a copy the views can read
 */
export function viewableOutput(output, sparseFormat = 'dict', vectorType = 'float32') {
  if (!output) return output;
  const out = { ...output };
  if (out.dense_vecs)
    out.dense_vecs = out.dense_vecs.map((/** @type {unknown} */ v) => (typeof v === 'string' ? Array.from(decodeVectorBase64(v, vectorType)) : v));
  if (out.colbert_vecs)
    out.colbert_vecs = out.colbert_vecs.map((/** @type {unknown} */ v, /** @type {number} */ i) =>
      typeof v === 'string' ? rowsOf(decodeVectorBase64(v, vectorType), out.token_counts[i] - 1) : v,
    );
  if (out.lexical_weights) {
    out.lexical_weights = out.lexical_weights.map(toDict);
    if (sparseFormat === 'tokens') out.lexical_tokens = keyTexts(out.lexical_weights);
  }
  return out;
}

/** Little-endian float32s from base64 (the server's vector_encoding "base64"). @param {string} text */
export function decodeFloat32Base64(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (bytes.length % 4 !== 0) throw new Error(`a base64 vector of ${bytes.length} bytes is not whole float32s`);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * The numbers of a base64 vector of `type`: float32 or float16 little-endian, int8 (int8, binary) or uint8 bytes.
 * @param {string} text @param {string} type
 * @returns {ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }}
 */
export function decodeVectorBase64(text, type) {
  if (type === 'float32') return decodeFloat32Base64(text);
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (type === 'int8' || type === 'binary') return new Int8Array(bytes.buffer);
  if (type !== 'float16') return bytes;
  const view = new DataView(bytes.buffer);
  return Float64Array.from({ length: bytes.length / 2 }, (_, i) => halfToNumber(view.getUint16(i * 2, true)));
}

/** An IEEE binary16 bit pattern's value. @param {number} bits */
function halfToNumber(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** One text's ColBERT values: `rows` rows (token_counts - 1) of equal width. @param {ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }} flat @param {number} rows */
function rowsOf(flat, rows) {
  const dim = rows > 0 ? flat.length / rows : 0;
  return Array.from({ length: rows }, (_, r) => Array.from(flat.subarray(r * dim, (r + 1) * dim)));
}

/** @param {any} weights {indices, values} or already {key: weight} */
function toDict(weights) {
  if (!Array.isArray(weights?.indices)) return weights;
  return Object.fromEntries(weights.indices.map((/** @type {number} */ id, /** @type {number} */ i) => [String(id), weights.values[i]]));
}

/** The text behind each "tokens" key: %2E is ".", %25 "%", and ▁ alone the bare word start. @param {Record<string, number>[]} all */
function keyTexts(all) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const weights of all) for (const key of Object.keys(weights)) out[key] = tokenFromKey(key);
  return out;
}

/** @param {string} key */
export function tokenFromKey(key) {
  return key === '\u2581' ? '' : key.replace(/%2E/g, '.').replace(/%25/g, '%');
}
