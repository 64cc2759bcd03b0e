// Turns the engine's per-text embeddings into the Output of schema.json.
import type { Encoding } from '../engine/tokenizer/bge-tokenizer.ts';
import { lexicalWeights, type LexicalWeights } from '../engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../engine/heads/scoring.ts';
import type { TextEmbedding } from '../engine/types.ts';
import { InputValidationError } from './errors.ts';
import { formatColbert, formatDense, formatSparse } from './output-formats.ts';
import type { Input, Output } from './schema-types.ts';
import type { CalibrationRanges } from './calibration.ts';

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
  const rows = enc.texts.reduce((n, e) => n + e.ids.length - 1, 0);
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

/** `calibration`: the ranges for vector_type int8/uint8 (the Predictor fetches them first). */
export function buildOutput(
  input: Input,
  enc: Encoded,
  embs: TextEmbedding[],
  model: { dim: number; tokenText: (id: number) => string },
  calibration?: CalibrationRanges,
): Output {
  const texts = embs.slice(0, enc.texts.length);
  const out: Output = {
    token_counts: enc.texts.map((e) => e.ids.length),
    truncated: enc.texts.map((e) => e.truncated),
  };
  const lexical = texts.map((e, i) => (e.tokenWeights ? lexicalWeights(enc.texts[i].ids, e.tokenWeights) : {}));
  const type = input.vector_type ?? 'float32';
  if (calibration && (input.return_dense || input.return_colbert)) out.calibration = calibration.hash;
  if (input.return_dense) out.dense_vecs = texts.map((e) => formatDense(e.dense!, input.vector_encoding, type, calibration?.dense));
  if (input.return_sparse) {
    out.lexical_weights = lexical.map((l) => formatSparse(l, input.sparse_format, model.tokenText));
    out.lexical_tokens = tokenTexts(lexical, model.tokenText);
  }
  if (input.return_colbert) out.colbert_vecs = texts.map((e) => formatColbert(e.colbert!, model.dim, input.vector_encoding, type, calibration?.colbert));
  if (enc.query) out.scores = scores(input, enc.query, embs[enc.texts.length], texts, lexical, model.dim);
  return out;
}

function scores(input: Input, q: Encoding, qe: TextEmbedding, texts: TextEmbedding[], lexical: LexicalWeights[], dim: number): NonNullable<Output['scores']> {
  const qLexical = lexicalWeights(q.ids, qe.tokenWeights!);
  const dense = texts.map((t) => denseScore(qe.dense!, t.dense!));
  const sparse = lexical.map((l) => sparseScore(qLexical, l));
  const colbert = texts.map((t) => colbertScore(qe.colbert!, t.colbert!, dim));
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
