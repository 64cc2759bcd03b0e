// Contextual chunks (chunk_context "document", issue #19 item 5): the text is
// run once, in windows of at most `windowTokens` tokens (<s> and </s>
// included), and each chunk takes its outputs from its window's pass, so they
// carry what the rest of the window says about its tokens ("late chunking"):
//   - sparse: the window's token weights at the chunk's own tokens;
//   - ColBERT: the window's rows at the chunk's own tokens, one per content
//     token; the document's </s> row belongs to its last chunk (no other chunk
//     has a </s> of its own inside the document), so the merge of plain chunks
//     (merge.ts) gives back exactly the document's rows;
//   - dense: the L2-normalized mean of the last hidden states at the chunk's
//     own tokens, from the engine's pool head. Not BGE-M3's trained pooling
//     (that is the <s> state, which sees the whole window): it is the
//     mean-pooling late chunking uses, taken in the hidden-state space the CLS
//     dense vector lives in, so chunks stay comparable with a query's dense
//     vector; the ColBERT rows are another, trained projection of that space.
// Windows are cut between chunks: a chunk never straddles two windows.
import type { Pool, TextEmbedding } from '../../engine/types.ts';
import { BOS_ID, EOS_ID } from '../../engine/model-facts.ts';
import type { ChunkPlan } from './types.ts';

/** Consecutive chunks run together: content tokens [start, end) of the text. */
export interface ContextWindow {
  start: number;
  end: number;
  chunks: ChunkPlan[];
}

/** Groups the chunks, in order, into windows whose tokens plus <s> and </s> fit `windowTokens`. */
export function contextWindows(plans: readonly ChunkPlan[], windowTokens: number): ContextWindow[] {
  const builder = new WindowBuilder(windowTokens);
  const windows = plans.flatMap((plan) => builder.add(plan) ?? []);
  const last = builder.end();
  return last ? [...windows, last] : windows;
}

/** contextWindows a chunk at a time, for a text whose chunks are still being planned: each window as soon as it is closed. */
export class WindowBuilder {
  private open?: ContextWindow;

  constructor(private readonly windowTokens: number) {}

  /** Takes the next chunk; returns the window it closed, if it did not fit in it. */
  add(plan: ChunkPlan): ContextWindow | undefined {
    const last = this.open;
    if (plan.tokenEnd - plan.tokenStart + 2 > this.windowTokens) {
      throw new Error(`chunk ${plan.index} holds ${plan.tokenEnd - plan.tokenStart} tokens, more than a window of ${this.windowTokens} can hold`);
    }
    if (last && plan.tokenStart < last.start) throw new Error(`chunk ${plan.index} starts before the chunk ahead of it`);
    if (last && plan.tokenStart > last.end) throw new Error(`chunk ${plan.index} leaves tokens ${last.end}-${plan.tokenStart} in no chunk`);
    if (last && Math.max(last.end, plan.tokenEnd) - last.start + 2 <= this.windowTokens) {
      last.end = Math.max(last.end, plan.tokenEnd);
      last.chunks.push(plan);
      return undefined;
    }
    this.open = { start: plan.tokenStart, end: plan.tokenEnd, chunks: [plan] };
    return last;
  }

  /** The text's last window (the one still open); undefined if no chunk came. */
  end(): ContextWindow | undefined {
    const last = this.open;
    this.open = undefined;
    return last;
  }
}

/**
 * The model input of a window (<s>, its tokens, </s>, built from its chunks' ids) and one pool per chunk:
 * its own tokens; a chunk without any (an empty text's one chunk) pools the <s> state alone, which is
 * exactly the text's own dense vector.
 */
export function windowInput(w: ContextWindow): { ids: number[]; pools: Pool[] } {
  const content: number[] = [];
  for (const c of w.chunks) {
    const have = w.start + content.length;
    if (c.tokenEnd > have) content.push(...c.ids.slice(1 + have - c.tokenStart, 1 + c.tokenEnd - c.tokenStart));
  }
  const pools = w.chunks.map((c) => [c.tokenEnd > c.tokenStart ? { start: 1 + c.tokenStart - w.start, end: 1 + c.tokenEnd - w.start } : { start: 0, end: 1 }]);
  return { ids: [BOS_ID, ...content, EOS_ID], pools };
}

/**
 * Each chunk's outputs from its window's: dense from the window's pooled row
 * for it, tokenWeights aligned with the chunk's ids (<s> and </s>, which make
 * no lexical weight, at 0), ColBERT rows of its content tokens, and of the
 * </s> for the chunk that ends the document (`last`: the window is the text's last).
 */
export function chunkOutputs(w: ContextWindow, emb: TextEmbedding, dim: number, last: boolean): TextEmbedding[] {
  return w.chunks.map((c, k) => {
    const from = 1 + c.tokenStart - w.start;
    const to = 1 + c.tokenEnd - w.start + (last && c.tokenEnd === w.end ? 1 : 0);
    const out: TextEmbedding = {};
    if (emb.pooled) out.dense = emb.pooled.slice(k * dim, (k + 1) * dim);
    if (emb.tokenWeights) {
      out.tokenWeights = new Float32Array(c.ids.length);
      out.tokenWeights.set(emb.tokenWeights.subarray(from, 1 + c.tokenEnd - w.start), 1);
    }
    // ColBERT row j is position j + 1 (the <s> row is dropped).
    if (emb.colbert) out.colbert = emb.colbert.slice((from - 1) * dim, (to - 1) * dim);
    return out;
  });
}

/** Runs the windows (as `run` does: ids, then one pool list per window) and gives every chunk its outputs, in order. */
export async function embedContextual(
  plans: readonly ChunkPlan[],
  windowTokens: number,
  dim: number,
  run: (ids: number[][], pools: Pool[][]) => Promise<TextEmbedding[]>,
): Promise<TextEmbedding[]> {
  const windows = contextWindows(plans, windowTokens);
  const inputs = windows.map(windowInput);
  const embs = await run(
    inputs.map((i) => i.ids),
    inputs.map((i) => i.pools),
  );
  return windows.flatMap((w, i) => chunkOutputs(w, embs[i], dim, i === windows.length - 1));
}
