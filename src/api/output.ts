// Turns the engine's per-text embeddings into the Output of schema.json.
import type { Encoding } from '../engine/tokenizer/bge-tokenizer.ts';
import { lexicalWeights, type LexicalWeights } from '../engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../engine/heads/scoring.ts';
import type { TextEmbedding } from '../engine/types.ts';
import { poolColbert, pooledRowCount } from './colbert-pooling.ts';
import { InputValidationError } from './errors.ts';
import { formatColbert, formatDense, formatSparse } from './output-formats.ts';
import type { Input, Output } from './schema-types.ts';
import type { CalibrationRanges } from './calibration.ts';
import { pruneLexical } from './sparse-pruning.ts';
import { scoringRows, scoringVector } from './vector-types.ts';

export interface Encoded {
  texts: Encoding[];
  query?: Encoding;
}

/**
 * ColBERT vectors in one prediction at most. Each is `dim` numbers; at 1024
 * dimensions 16384 of them already make ~350 MB of JSON, and V8 cannot build a
 * string much past 512 MB.
 */
export const MAX_COLBERT_VECTORS = 16384;

/** Refuses, before any model work, an output too large to return. */
export function checkOutputSize(input: Input, enc: Encoded): void {
  if (!input.return_colbert) return;
  const rows = enc.texts.reduce((n, e) => n + pooledRowCount(e.ids.length - 1, input.colbert_pool_factor ?? 1), 0);
  if (rows <= MAX_COLBERT_VECTORS) return;
  throw new InputValidationError(
    [
      {
        field: 'return_colbert',
        loc: ['return_colbert'],
        type: 'value_error',
        message: `return_colbert would return ${rows} vectors (one per token), more than the ${MAX_COLBERT_VECTORS} one prediction can hold: send fewer texts per prediction, lower max_length, or set return_colbert: false`,
      },
    ],
    'output_too_large',
  );
}

/** Whether the texts' ColBERT rows are pooled: colbert_pool_factor above 1, and the rows returned or scored compact. */
export function poolsColbert(input: Input, enc: Encoded): boolean {
  return (input.colbert_pool_factor ?? 1) > 1 && (input.return_colbert || (enc.query !== undefined && input.score_compact === true));
}

/**
 * `calibration`: the ranges for vector_type int8/uint8 (the Predictor fetches them first).
 * `pooled`: each text's pooled ColBERT rows, when the caller pooled them (off the main thread); else pooled here.
 */
export function buildOutput(
  input: Input,
  enc: Encoded,
  embs: TextEmbedding[],
  model: { dim: number; tokenText: (id: number) => string },
  calibration?: CalibrationRanges,
  pooled?: (Float32Array | undefined)[],
): Output {
  const texts = embs.slice(0, enc.texts.length);
  const out: Output = {
    token_counts: enc.texts.map((e) => e.ids.length),
    truncated: enc.texts.map((e) => e.truncated),
  };
  const lexical = texts.map((e, i) => (e.tokenWeights ? lexicalWeights(enc.texts[i].ids, e.tokenWeights) : {}));
  // sparse_top_k, sparse_min_weight and colbert_pool_factor; the exact ones stay for scores unless score_compact.
  const pruning = { topK: input.sparse_top_k, minWeight: input.sparse_min_weight };
  const compactLexical = lexical.map((l) => pruneLexical(l, pruning));
  const factor = input.colbert_pool_factor ?? 1;
  const pool = poolsColbert(input, enc);
  const compactColbert = pooled ?? texts.map((e) => (pool && e.colbert ? poolColbert(e.colbert, model.dim, factor) : e.colbert));
  const type = input.vector_type ?? 'float32';
  if (calibration) out.calibration = calibration.hash;
  if (input.return_dense) out.dense_vecs = texts.map((e) => formatDense(e.dense!, input.vector_encoding, type, calibration?.dense));
  if (input.return_sparse) {
    out.lexical_weights = compactLexical.map((l) => formatSparse(l, input.sparse_format, model.tokenText));
    out.lexical_tokens = tokenTexts(compactLexical, model.tokenText);
  }
  if (input.return_colbert) out.colbert_vecs = compactColbert.map((c) => formatColbert(c!, model.dim, input.vector_encoding, type, calibration?.colbert));
  if (enc.query) {
    const compact = input.score_compact === true;
    const qe = embs[enc.texts.length];
    // score_compact: the vectors as a database holding vector_type compares them (scoringVector), the query's too.
    const as = compact ? type : 'float32';
    const dense = (v: Float32Array) => scoringVector(v, as, calibration?.dense);
    const colbert = (rows: Float32Array) => scoringRows(rows, model.dim, as, calibration?.colbert);
    out.scores = scores(
      input,
      enc.query,
      { dense: dense(qe.dense!), colbert: colbert(qe.colbert!), tokenWeights: qe.tokenWeights! },
      texts.map((e, i) => ({ dense: dense(e.dense!), colbert: colbert((compact ? compactColbert[i] : e.colbert)!) })),
      compact ? compactLexical : lexical,
      model.dim,
    );
  }
  return out;
}

/** What one text is scored with: its dense vector and ColBERT rows (exact, or compact with score_compact). */
interface Scored {
  dense: Float32Array;
  colbert: Float32Array;
}

function scores(
  input: Input,
  q: Encoding,
  qe: Scored & { tokenWeights: Float32Array },
  texts: Scored[],
  lexical: LexicalWeights[],
  dim: number,
): NonNullable<Output['scores']> {
  const qLexical = lexicalWeights(q.ids, qe.tokenWeights);
  const dense = texts.map((t) => denseScore(qe.dense, t.dense));
  const sparse = lexical.map((l) => sparseScore(qLexical, l));
  const colbert = texts.map((t) => colbertScore(qe.colbert, t.colbert, dim));
  const w = input.score_weights;
  return {
    dense,
    sparse,
    colbert,
    hybrid: dense.map((d, i) => hybridScore(d, sparse[i], colbert[i], w)),
    weights: w,
    query_token_count: q.ids.length,
    query_truncated: q.truncated,
  };
}

function tokenTexts(lexical: LexicalWeights[], tokenText: (id: number) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lexical) for (const id in l) out[id] ??= tokenText(Number(id));
  return out;
}
