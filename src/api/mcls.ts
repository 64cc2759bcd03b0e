// MCLS (dense_pooling "mcls"), the BGE-M3 paper's training-free pooling for
// long documents (arXiv 2402.03216, appendix B.2: "we insert a CLS token for
// every fixed number of tokens (... for each 256 tokens) ... the final text
// embedding is obtained by averaging the last hidden states of all CLS
// tokens"). FlagEmbedding publishes no code for it, so the placement is this
// reading of the paper: the text's tokens between <s> and </s> are split into
// groups of 256 from the start; the text's own <s> heads the first group and
// an inserted <s> each later one (none after the last group); the vector is
// the L2-normalized mean of the last hidden states at every <s>, the first
// included. The model's 8192 positions bound the modified ids, inserted <s>
// included.
import { BOS_ID, MAX_POSITION_TOKENS } from '../engine/model-facts.ts';
import type { Pool, TokenIds } from '../engine/types.ts';
import { InputValidationError } from './errors.ts';

/** Tokens of the text per <s>. */
export const MCLS_GROUP = 256;

/** Most tokens between <s> and </s> a text may have under MCLS: n + ceil(n / 256) + 1 ≤ 8192. */
export const MCLS_MAX_CONTENT = 8159;

/** The MCLS model input of `ids` (<s> content </s>) and the pool of its <s> positions. */
export function mclsInput(ids: TokenIds): { ids: number[]; pool: Pool } {
  const content = ids.slice(1, -1);
  const out: number[] = [];
  const pool: { start: number; end: number }[] = [];
  for (let g = 0; g < content.length || g === 0; g += MCLS_GROUP) {
    pool.push({ start: out.length, end: out.length + 1 });
    out.push(BOS_ID, ...content.slice(g, g + MCLS_GROUP));
  }
  out.push(ids[ids.length - 1]);
  return { ids: out, pool };
}

/** Whether MCLS inserts any <s> into this text (more than 256 tokens between <s> and </s>). */
export function mclsInserts(ids: TokenIds): boolean {
  return ids.length - 2 > MCLS_GROUP;
}

/** Throws a 422 naming the first text too long for MCLS, and the fix. */
export function checkMclsLengths(texts: readonly { ids: TokenIds }[]): void {
  const i = texts.findIndex((e) => e.ids.length - 2 > MCLS_MAX_CONTENT);
  if (i < 0) return;
  const n = texts[i].ids.length - 2;
  const total = n + Math.ceil(n / MCLS_GROUP) + 1;
  throw new InputValidationError([
    {
      field: 'texts',
      loc: ['texts', i],
      type: 'value_error',
      message: `texts[${i}] keeps ${n} tokens between <s> and </s>; with dense_pooling "mcls" its ${Math.ceil(n / MCLS_GROUP) - 1} inserted <s> make ${total} tokens, more than the model's ${MAX_POSITION_TOKENS} positions: set max_length to ${MCLS_MAX_CONTENT + 2} or less (the text keeps its first ${MCLS_MAX_CONTENT} tokens and is flagged in truncated), split the text, or use dense_pooling "cls"`,
    },
  ]);
}
