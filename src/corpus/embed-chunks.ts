// --chunk-tokens: one row per chunk, from Predictor.predictChunks, chunkRows documents per call.
// Rows come out in input order, a document's chunks a group at a time as they are embedded, so a
// document of any length goes through (predict() must return all of a text's chunks and merged
// rows in one response, which the ColBERT cap bounds). Several calls are in flight so the
// scheduler packs short documents together; how many is bounded by rows and by their characters,
// and each call holds a bounded number of embedded tokens (src/api/chunking/chunk-stream.ts):
// memory does not grow with a document's length. An input error is thrown after the rows read
// before it.
import type { ChunkOutput } from '../../predict.ts';
import { predictionInput, type Embedder, type WindowOptions } from './embed-window.ts';
import type { EmbeddedRow } from './embedded-row.ts';
import type { InputRow } from './readers/types.ts';

/** Characters of the documents in flight, at most, unless one call's alone has more (about 64k tokens). */
export const DEFAULT_WINDOW_CHARS = 256 * 1024;

interface InFlight {
  rows: InputRow[];
  chars: number;
  groups: AsyncIterator<ChunkOutput[]>;
  /** The first group, asked for when the document is let in, so its chunks are planned and sent at once. */
  first: Promise<IteratorResult<ChunkOutput[]>>;
}

export async function* embedChunksInWindow(
  rows: AsyncIterable<InputRow>,
  predictor: Embedder,
  opts: WindowOptions & { windowChars?: number },
): AsyncGenerator<EmbeddedRow> {
  const predictChunks = predictor.predictChunks?.bind(predictor);
  if (!predictChunks) throw new Error('the Predictor cannot hand on chunks (predictChunks), which --chunk-tokens needs');
  const windowChars = opts.windowChars ?? DEFAULT_WINDOW_CHARS;
  const source = rows[Symbol.asyncIterator]();
  const pending: InFlight[] = [];
  let chars = 0;
  let rowsInFlight = 0;
  let ended = false;
  /** A row read for a call that had no room for it (it would have passed windowChars): the next call's first. */
  let carried: InputRow | undefined;
  // A reading error ends the input there: the rows before it are embedded and handed on first.
  let failure: { error: unknown } | undefined;
  const read = async (): Promise<InputRow | undefined> => {
    const row = carried;
    carried = undefined;
    if (row || ended) return row;
    try {
      const next = await source.next();
      if (!next.done) return next.value;
    } catch (error) {
      failure = { error };
    }
    ended = true;
    return undefined;
  };
  const letIn = async () => {
    while ((carried || !ended) && rowsInFlight < opts.windowRows && (pending.length === 0 || chars < windowChars)) {
      // A call holds chunkRows documents at most, and past its first no more than windowChars characters, which
      // also keeps it under the Predictor's characters per request (BGE_M3_MAX_REQUEST_CHARS) unless one document alone is over.
      const batch: InputRow[] = [];
      let size = 0;
      while (batch.length < opts.chunkRows) {
        const row = await read();
        if (!row) break;
        if (batch.length && size + row.text.length > windowChars) {
          carried = row;
          break;
        }
        batch.push(row);
        size += row.text.length;
      }
      if (!batch.length) break;
      const groups = predictChunks(
        predictionInput(
          batch.map((r) => r.text),
          opts,
        ),
      )[Symbol.asyncIterator]();
      const first = groups.next();
      first.catch(() => {}); // awaited in order below; a failure surfaces there
      pending.push({ rows: batch, chars: size, groups, first });
      chars += size;
      rowsInFlight += batch.length;
    }
  };
  try {
    for (;;) {
      await letIn();
      const head = pending[0];
      if (!head) {
        if (failure) throw failure.error;
        return;
      }
      for (let next = await head.first; !next.done; next = await head.groups.next()) {
        for (const c of next.value) yield chunkRow(head.rows[c.text_index], c);
      }
      // Counted in flight until handed on: a long document holds the window alone while its stream keeps the model busy.
      pending.shift();
      chars -= head.chars;
      rowsInFlight -= head.rows.length;
    }
  } finally {
    await source.return?.();
    await Promise.all(pending.map((p) => p.groups.return?.(undefined).catch(() => {})));
  }
}

/** One row per chunk: its document's row and id, its position and span, its own outputs. */
function chunkRow(r: InputRow, c: ChunkOutput): EmbeddedRow {
  const e: EmbeddedRow = {
    row: r.row,
    endByte: r.endByte,
    id: r.id,
    tokenCount: c.token_count,
    truncated: false,
    chunk: { index: c.chunk_index, start: c.start, end: c.end },
  };
  // Numbers (the default vector_encoding: floats, or vector_type's integers) and sparse pairs sorted by id.
  if (c.dense_vec) e.dense = c.dense_vec as number[];
  const sparse = c.lexical_weights as { indices: number[]; values: number[] } | undefined;
  if (sparse) {
    e.sparseIndices = sparse.indices;
    e.sparseValues = sparse.values;
  }
  if (c.colbert_vecs) e.colbert = c.colbert_vecs as number[][];
  return e;
}
