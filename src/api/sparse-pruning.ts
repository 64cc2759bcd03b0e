// sparse_top_k and sparse_min_weight: a text's lexical weights (already merged
// by token id) cut to the largest k and/or to those at or above a threshold.
// Ties at the k-th place keep the smaller token id, so the result never
// depends on the order keys were met in.
import type { LexicalWeights } from '../engine/heads/lexical.ts';

export interface SparsePruning {
  topK?: number;
  minWeight?: number;
}

export function isPruning(p: SparsePruning): boolean {
  return p.topK !== undefined || p.minWeight !== undefined;
}

export function pruneLexical(weights: LexicalWeights, p: SparsePruning): LexicalWeights {
  if (!isPruning(p)) return weights;
  let kept = Object.entries(weights).map(([id, w]) => ({ id: Number(id), w }));
  if (p.minWeight !== undefined) kept = kept.filter((e) => e.w >= p.minWeight!);
  if (p.topK !== undefined && kept.length > p.topK) kept = kept.sort((a, b) => b.w - a.w || a.id - b.id).slice(0, p.topK);
  kept.sort((a, b) => a.id - b.id);
  return Object.fromEntries(kept.map((e) => [String(e.id), e.w]));
}
