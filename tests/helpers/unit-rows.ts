// Deterministic random unit vectors for tests that need many ColBERT-like rows.

/** n unit vectors of `dim` numbers (mulberry32 from `seed`), row after row. */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      out[i * dim + d] = rand() - 0.5;
      norm += out[i * dim + d] ** 2;
    }
    for (let d = 0; d < dim; d++) out[i * dim + d] /= Math.sqrt(norm);
  }
  return out;
}

/** Row-major rows as arrays of numbers. */
export function rowsOf(flat: Float32Array, dim: number): number[][] {
  return Array.from({ length: flat.length / dim }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));
}
