// BGE-M3's sparse (lexical) weights, as FlagEmbedding's _process_token_weights:
// per token id, the largest weight over its occurrences; special tokens and
// weights <= 0 never make a key. Keys are id strings (a JS object lists them in
// ascending id order, where FlagEmbedding's dict keeps first occurrence: the
// same JSON object).
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../model-facts.ts';
import type { TokenIds } from '../types.ts';

export const UNUSED_IDS: ReadonlySet<number> = new Set([BOS_ID, PAD_ID, EOS_ID, UNK_ID]);

export type LexicalWeights = Record<string, number>;

export function lexicalWeights(ids: TokenIds, weights: Float32Array): LexicalWeights {
  const result: LexicalWeights = {};
  for (let i = 0; i < ids.length; i++) {
    const w = weights[i];
    if (UNUSED_IDS.has(ids[i]) || !(w > 0)) continue;
    const key = String(ids[i]);
    if (!(key in result) || w > result[key]) result[key] = w;
  }
  return result;
}
