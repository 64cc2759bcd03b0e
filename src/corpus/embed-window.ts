// Hands rows to the Predictor a chunk per predict() call, keeping a window of
// rows in flight so the scheduler sorts them by length and packs its token
// budget across chunks, as it does for concurrent requests. Results come out
// in input order. An input error is thrown after the rows read before it.
import type { ChunkOutput, Output } from '../../predict.ts';
import type { EmbeddedRow, Outputs } from './embedded-row.ts';
import type { InputRow } from './readers/types.ts';

export interface Embedder {
  predict(input: unknown): Promise<Output>;
  /** --chunk-tokens: a text's chunks a group at a time (Predictor.predictChunks); embed-chunks.ts. */
  predictChunks?(input: unknown): AsyncIterable<ChunkOutput[]>;
  /** The int8/uint8 calibration the Predictor quantizes with (made on first use). */
  calibration?(): Promise<{ hash: string }>;
}

export interface WindowOptions extends Outputs {
  maxLength: number;
  /** Rows per predict() call. */
  chunkRows: number;
  /** Rows submitted and not yet handed on, at most (rounded up to a chunk). */
  windowRows: number;
}

/** Default rows per call; ColBERT goes one text per call to stay under a prediction's vector limit. */
export const DEFAULT_CHUNK_ROWS = 16;
/** Default rows in flight: enough for length sorting to find good batches, bounded memory. */
export const DEFAULT_WINDOW_ROWS = 256;

export async function* embedInWindow(rows: AsyncIterable<InputRow>, predictor: Embedder, opts: WindowOptions): AsyncGenerator<EmbeddedRow> {
  const source = rows[Symbol.asyncIterator]();
  const pending: { size: number; result: Promise<EmbeddedRow[]> }[] = [];
  let inFlight = 0;
  let ended = false;
  // A reading error ends the input there: the rows before it are embedded and handed on first.
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      while (!ended && inFlight < opts.windowRows) {
        const chunk: InputRow[] = [];
        while (chunk.length < opts.chunkRows) {
          let next: IteratorResult<InputRow>;
          try {
            next = await source.next();
          } catch (error) {
            failure = { error };
            ended = true;
            break;
          }
          if (next.done) {
            ended = true;
            break;
          }
          chunk.push(next.value);
        }
        if (!chunk.length) break;
        const result = embedChunk(chunk, predictor, opts);
        result.catch(() => {}); // awaited in order below; a failure surfaces there
        pending.push({ size: chunk.length, result });
        inFlight += chunk.length;
      }
      const head = pending.shift();
      if (!head) {
        if (failure) throw failure.error;
        return;
      }
      const out = await head.result;
      inFlight -= head.size;
      yield* out;
    }
  } finally {
    await source.return?.();
  }
}

/** The Predictor's inputs for --sparse-top-k, --sparse-min-weight and --colbert-pool-factor, the ones set. */
function compactInput({ compact }: Outputs): Record<string, number> {
  const out: Record<string, number> = {};
  if (compact?.sparseTopK !== undefined) out.sparse_top_k = compact.sparseTopK;
  if (compact?.sparseMinWeight !== undefined) out.sparse_min_weight = compact.sparseMinWeight;
  if (compact?.colbertPoolFactor !== undefined) out.colbert_pool_factor = compact.colbertPoolFactor;
  return out;
}

/** The /predictions input the job sends for `texts`: every option of the job in the API's own fields. */
export function predictionInput(texts: string[], opts: Outputs & { maxLength: number }): Record<string, unknown> {
  return {
    texts,
    max_length: opts.maxLength,
    return_dense: opts.dense,
    return_sparse: opts.sparse,
    return_colbert: opts.colbert,
    sparse_format: 'indices_values',
    ...(opts.vectorType ? { vector_type: opts.vectorType } : {}),
    ...compactInput(opts),
    ...(opts.chunk ? { chunk_tokens: opts.chunk.tokens, chunk_overlap: opts.chunk.overlap } : {}),
    ...(opts.chunk?.context ? { chunk_context: opts.chunk.context } : {}),
    ...(opts.densePooling ? { dense_pooling: opts.densePooling } : {}),
  };
}

async function embedChunk(chunk: InputRow[], predictor: Embedder, opts: WindowOptions): Promise<EmbeddedRow[]> {
  const out = await predictor.predict(
    predictionInput(
      chunk.map((r) => r.text),
      opts,
    ),
  );
  return chunk.map((r, i) => {
    const e: EmbeddedRow = { row: r.row, endByte: r.endByte, id: r.id, tokenCount: out.token_counts[i], truncated: out.truncated[i] };
    // Numbers (the default vector_encoding: floats, or vector_type's integers) and sparse pairs sorted by id, as asked above.
    if (out.dense_vecs) e.dense = out.dense_vecs[i] as number[];
    const sparse = out.lexical_weights?.[i] as { indices: number[]; values: number[] } | undefined;
    if (sparse) {
      e.sparseIndices = sparse.indices;
      e.sparseValues = sparse.values;
    }
    if (out.colbert_vecs) e.colbert = out.colbert_vecs[i] as number[][];
    return e;
  });
}
