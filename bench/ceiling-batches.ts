// The ceiling's batches: texts sorted by length, packed under the predictor's
// token budget with rows within CEILING_MIN_FILL of each other, and each
// batch's rows cut to its shortest row, so onnxruntime never sees a padding
// token. The rule is fixed here, apart from the predictor's tuning, so that
// tuning the predictor cannot move the ceiling.

/** Shortest / longest original row in one ceiling batch. */
export const CEILING_MIN_FILL = 0.75;

export interface UnpaddedBatch {
  /** Indices into the lengths given. */
  rows: number[];
  /** Every row's length in this batch: the shortest of them. */
  length: number;
}

export function packUnpadded(lengths: readonly number[], maxBatchTokens: number, minFill: number): UnpaddedBatch[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const batches: UnpaddedBatch[] = [];
  let start = 0;
  while (start < order.length) {
    const shortest = lengths[order[start]];
    let end = start + 1;
    while (end < order.length) {
      const longest = lengths[order[end]];
      if ((end - start + 1) * longest > maxBatchTokens || shortest < minFill * longest) break;
      end++;
    }
    batches.push({ rows: order.slice(start, end), length: shortest });
    start = end;
  }
  return batches;
}
