/**
 * Extended grapheme clusters of a string, in linear time.
 *
 * Node 20's Intl.Segmenter gets quadratically slower as the input grows (80k characters take
 * tens of seconds), so we segment through a bounded window: every cluster of the window except
 * the last is final, and the next window starts where that last, possibly cut-off, cluster
 * began. Restarting at a cluster boundary gives the same boundaries as segmenting the whole
 * string, because the segmentation rules only look back within the current cluster and ahead
 * by one code point, which the window always contains when it ends on a code point boundary.
 */

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const WINDOW = 256;

export function* graphemeClusters(text: string): Generator<string> {
  let start = 0;
  let window = WINDOW;
  while (start < text.length) {
    let end = Math.min(text.length, start + window);
    // Cut between code points: a dangling high surrogate would create a false boundary earlier.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    const clusters = Array.from(segmenter.segment(text.slice(start, end)), (s) => s.segment);
    if (end === text.length) {
      yield* clusters;
      return;
    }
    if (clusters.length < 2) {
      // One cluster fills the whole window (e.g. hundreds of stacked combining marks): widen it.
      window *= 2;
      continue;
    }
    const last = clusters.pop()!;
    yield* clusters;
    start = end - last.length;
    window = WINDOW;
  }
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
