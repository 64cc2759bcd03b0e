// Where a text's chunks (chunk_tokens) lie, as runs of characters each covered by the same
// chunks: the pieces the Chunks view highlights. No DOM here: the Node tests import this file.

/**
 * @typedef {{ chunk_index: number, start: number, end: number }} ChunkSpan  start/end in code points
 * @typedef {{ text: string, chunks: number[] }} Segment  a run of the text and the chunks holding it
 */

/**
 * The text cut at every chunk's start and end; each piece lists the chunks that hold it (two
 * where neighbours overlap, none where no chunk does). The pieces joined give the text back.
 * @param {string} text @param {ChunkSpan[]} chunks @returns {Segment[]}
 */
export function chunkSegments(text, chunks) {
  const points = [...text];
  const cuts = new Set([0, points.length]);
  for (const c of chunks) cuts.add(c.start).add(c.end);
  const sorted = [...cuts].filter((x) => x >= 0 && x <= points.length).sort((a, b) => a - b);
  /** @type {Segment[]} */
  const out = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [from, to] = [sorted[i], sorted[i + 1]];
    const holding = chunks.filter((c) => c.start <= from && to <= c.end).map((c) => c.chunk_index);
    out.push({ text: points.slice(from, to).join(''), chunks: holding });
  }
  return out;
}
