// Which queued texts share a batch with an anchor text. Texts are sorted by
// length; the window grows from the anchor to the nearest lengths while the
// padded batch stays within its memory limits and each added row makes the
// batch cheaper per real token.
//
// Cost model: a forward pass costs about fixedCost + rows × longest (in
// tokens; fixedCost is the part that does not grow with the batch, mostly
// streaming 2.3 GB of weights through the caches). Short texts gain a lot
// from sharing that cost; long texts gain nothing, so they join only rows of
// nearly their own length, and padding never buys less than it costs.

export interface BatchLimits {
  /** Padded tokens: rows × longest row. */
  maxBatchTokens: number;
  /** Attention cells: rows × longest², which the attention scores grow with. */
  maxBatchAttention: number;
  /** Rows at most (an export with a fixed batch dimension), or null. */
  maxRows: number | null;
  /** Shortest row / longest row, 0..1: a floor under the cost rule. */
  minFill: number;
  /** The fixed part of a forward pass, in tokens (see above). */
  fixedCostTokens: number;
}

/** [lo, hi] of `lengths` (ascending) around `anchor`; a single text always fits. */
export function growWindow(lengths: readonly number[], anchor: number, limits: BatchLimits): [number, number] {
  const target = lengths[anchor];
  let lo = anchor;
  let hi = anchor;
  let real = target;
  const perToken = (l: number, h: number, r: number) => (limits.fixedCostTokens + (h - l + 1) * lengths[h]) / r;
  for (;;) {
    const candidates: [number, number, number][] = [];
    if (lo > 0) candidates.push([lo - 1, hi, lengths[lo - 1]]);
    if (hi < lengths.length - 1) candidates.push([lo, hi + 1, lengths[hi + 1]]);
    candidates.sort((a, b) => Math.abs(a[2] - target) - Math.abs(b[2] - target));
    const next = candidates.find(([l, h, added]) => fits(lengths, l, h, limits) && perToken(l, h, real + added) <= perToken(lo, hi, real));
    if (!next) return [lo, hi];
    [lo, hi] = next;
    real += next[2];
  }
}

function fits(lengths: readonly number[], lo: number, hi: number, limits: BatchLimits): boolean {
  const rows = hi - lo + 1;
  const longest = lengths[hi];
  return (
    rows * longest <= limits.maxBatchTokens &&
    rows * longest * longest <= limits.maxBatchAttention &&
    lengths[lo] >= limits.minFill * longest &&
    (!limits.maxRows || rows <= limits.maxRows)
  );
}
