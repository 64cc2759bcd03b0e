// Query-passage scores as FlagEmbedding defines them (compute_score):
// dense = q·p, sparse = Σ over shared ids of q[t]·p[t],
// colbert = mean over query vectors of the best dot product with a passage vector,
// hybrid = (w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2).
import type { LexicalWeights } from './lexical.ts';

export function dot(a: Float32Array, b: Float32Array, aOff = 0, bOff = 0, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
  return s;
}

export function denseScore(q: Float32Array, p: Float32Array): number {
  return dot(q, p);
}

export function sparseScore(q: LexicalWeights, p: LexicalWeights): number {
  let s = 0;
  for (const id in q) if (id in p) s += q[id] * p[id];
  return s;
}

/** q and p hold rows of length `dim`, row-major. */
export function colbertScore(q: Float32Array, p: Float32Array, dim: number): number {
  const qRows = q.length / dim;
  const pRows = p.length / dim;
  if (qRows === 0) return 0;
  let total = 0;
  for (let i = 0; i < qRows; i++) {
    let best = -Infinity;
    for (let j = 0; j < pRows; j++) best = Math.max(best, dot(q, p, i * dim, j * dim, dim));
    total += pRows ? best : 0;
  }
  return total / qRows;
}

export function hybridScore(dense: number, sparse: number, colbert: number, w: readonly number[]): number {
  return (w[0] * dense + w[1] * sparse + w[2] * colbert) / (w[0] + w[1] + w[2]);
}
