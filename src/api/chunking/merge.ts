// A document's result from its chunks' (issue #19): the rules schema.json states for the
// per-text fields when chunk_tokens is on.
import type { LexicalWeights } from '../../engine/heads/lexical.ts';
import type { ChunkPlan } from './types.ts';

/** Mean of the chunks' dense vectors weighted by each chunk's token count (its ids, <s> and </s> included), L2-normalized: vLLM's rule. */
export function mergeDense(chunks: readonly { plan: ChunkPlan; dense: Float32Array }[]): Float32Array {
  const sum = new Float64Array(chunks[0].dense.length);
  for (const { plan, dense } of chunks) for (let d = 0; d < sum.length; d++) sum[d] += plan.ids.length * dense[d];
  let norm = 0;
  for (const x of sum) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(sum, (x) => x / norm);
}

/** The largest weight of each token id over the chunks: FlagEmbedding's rule for an id seen more than once. */
export function mergeLexical(chunks: readonly LexicalWeights[]): LexicalWeights {
  const out: LexicalWeights = {};
  for (const weights of chunks) for (const id in weights) if (!(id in out) || weights[id] > out[id]) out[id] = weights[id];
  return out;
}

/**
 * The chunks' ColBERT rows concatenated, each content token once, from the first chunk holding
 * it, then the last chunk's </s> row: rows for the document's content tokens and its </s>, as
 * an unchunked text has. A chunk's rows are its content tokens' and then its </s>'s.
 */
export function mergeColbert(chunks: readonly { plan: ChunkPlan; colbert: Float32Array }[], dim: number): Float32Array {
  const last = chunks[chunks.length - 1].plan;
  const out = new Float32Array((last.tokenEnd + 1) * dim);
  let covered = 0;
  for (const { plan, colbert } of chunks) {
    if (plan.tokenEnd <= covered) continue;
    const from = Math.max(covered, plan.tokenStart);
    out.set(colbert.subarray((from - plan.tokenStart) * dim, (plan.tokenEnd - plan.tokenStart) * dim), from * dim);
    covered = plan.tokenEnd;
  }
  const final = chunks[chunks.length - 1];
  const sepRow = final.plan.tokenEnd - final.plan.tokenStart;
  out.set(final.colbert.subarray(sepRow * dim, (sepRow + 1) * dim), last.tokenEnd * dim);
  return out;
}
