// The Output of a prediction with chunk_tokens (issue #19): per text, the document-level result
// merged from its chunks (merge.ts), and every chunk's own outputs and scores in `chunks`.
import { lexicalWeights, type LexicalWeights } from '../../engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../../engine/heads/scoring.ts';
import type { Encoding } from '../../engine/tokenizer/bge-tokenizer.ts';
import type { TextEmbedding } from '../../engine/types.ts';
import type { CalibrationRanges } from '../calibration.ts';
import { formatColbert, formatDense, formatSparse } from '../output-formats.ts';
import type { Input, Output } from '../schema-types.ts';
import { pruneLexical } from '../sparse-pruning.ts';
import { scoringRows, scoringVector } from '../vector-types.ts';
import { mergeColbert, mergeDense, mergeLexical } from './merge.ts';
import type { ChunkPlan } from './types.ts';

/** One text's chunks and its whole token count (<s> and </s> included). */
export interface ChunkedText {
  plans: ChunkPlan[];
  tokenCount: number;
}

/** One entry of a chunked prediction's `chunks`. */
export type ChunkOutput = NonNullable<Output['chunks']>[number];
type Chunk = ChunkOutput;
type Scores = { dense: number; sparse: number; colbert: number; hybrid: number };

/** One text's representation: what is returned and what is scored. */
interface Representation {
  dense?: Float32Array;
  lexical: LexicalWeights;
  colbert?: Float32Array;
}

export type ChunkFormats = ReturnType<typeof chunkFormats>;
type Formats = ChunkFormats;

/** How a chunk's (and a document's) outputs are written: vector_encoding, vector_type, sparse_format and pruning. `tokenIds` collects the ids some returned lexical_weights holds. */
export function chunkFormats(input: Input, model: { dim: number; tokenText: (id: number) => string }, calibration?: CalibrationRanges, tokenIds?: Set<string>) {
  const type = input.vector_type ?? 'float32';
  const pruning = { topK: input.sparse_top_k, minWeight: input.sparse_min_weight };
  return {
    dense: (v: Float32Array) => formatDense(v, input.vector_encoding, type, calibration?.dense),
    sparse: (l: LexicalWeights) => {
      const pruned = pruneLexical(l, pruning);
      if (tokenIds) for (const id in pruned) tokenIds.add(id);
      return formatSparse(pruned, input.sparse_format, model.tokenText);
    },
    colbert: (v: Float32Array) => formatColbert(v, model.dim, input.vector_encoding, type, calibration?.colbert),
  };
}

/** A chunk's own outputs from its embedding: what it returns and what it is scored with. */
function representation(plan: ChunkPlan, emb: TextEmbedding): Representation {
  return { dense: emb.dense, lexical: emb.tokenWeights ? lexicalWeights(plan.ids, emb.tokenWeights) : {}, colbert: emb.colbert };
}

/** One entry of `chunks`, without scores: its place, span and the outputs asked for. */
function chunkOf(input: Input, format: Formats, textIndex: number, plan: ChunkPlan, rep: Representation): Chunk {
  const chunk: Chunk = {
    text_index: textIndex,
    chunk_index: plan.index,
    start: plan.start,
    end: plan.end,
    token_count: plan.ids.length,
    cut: plan.cut,
  };
  if (input.return_dense) chunk.dense_vec = format.dense(rep.dense!);
  if (input.return_sparse) chunk.lexical_weights = format.sparse(rep.lexical);
  if (input.return_colbert) chunk.colbert_vecs = format.colbert(rep.colbert!);
  return chunk;
}

/** `chunks` entries (no scores, no merged fields) of chunks of any texts: what Predictor.predictChunks hands on. */
export function chunkEntries(input: Input, format: Formats, parts: readonly { text: number; plan: ChunkPlan; emb: TextEmbedding }[]): Chunk[] {
  return parts.map(({ text, plan, emb }) => chunkOf(input, format, text, plan, representation(plan, emb)));
}

/** `embs`: the chunks' embeddings, text after text, chunk after chunk. */
export function buildChunkedOutput(
  input: Input,
  texts: readonly ChunkedText[],
  embs: readonly TextEmbedding[],
  query: { enc: Encoding; emb: TextEmbedding } | undefined,
  model: { dim: number; tokenText: (id: number) => string },
  calibration?: CalibrationRanges,
): Output {
  const type = input.vector_type ?? 'float32';
  const pruning = { topK: input.sparse_top_k, minWeight: input.sparse_min_weight };
  // score_compact: pruned lexical weights, and vectors as a database holding vector_type compares them (the query's too).
  const compact = input.score_compact === true;
  const as = compact ? type : 'float32';
  const scoringDense = (v: Float32Array) => scoringVector(v, as, calibration?.dense);
  const scoringColbert = (rows: Float32Array) => scoringRows(rows, model.dim, as, calibration?.colbert);
  const qLexical = query ? lexicalWeights(query.enc.ids, query.emb.tokenWeights!) : {};
  const qDense = query && scoringDense(query.emb.dense!);
  const qColbert = query && scoringColbert(query.emb.colbert!);
  const score = (r: Representation): Scores => {
    const dense = denseScore(qDense!, scoringDense(r.dense!));
    const sparse = sparseScore(qLexical, compact ? pruneLexical(r.lexical, pruning) : r.lexical);
    const colbert = colbertScore(qColbert!, scoringColbert(r.colbert!), model.dim);
    return { dense, sparse, colbert, hybrid: hybridScore(dense, sparse, colbert, input.score_weights) };
  };
  /** Every token id some returned lexical_weights holds, for lexical_tokens. */
  const tokenIds = new Set<string>();
  const format = chunkFormats(input, model, calibration, tokenIds);
  const documents: Representation[] = [];
  const chunks: Chunk[] = [];
  const best: { index: number; scores: Scores }[] = [];
  let at = 0;
  texts.forEach((text, textIndex) => {
    const parts = text.plans.map((plan) => {
      const emb = embs[at++];
      return { plan, emb, rep: representation(plan, emb) };
    });
    documents.push({
      dense: parts[0].rep.dense && mergeDense(parts.map((p) => ({ plan: p.plan, dense: p.rep.dense! }))),
      lexical: mergeLexical(parts.map((p) => p.rep.lexical)),
      colbert:
        parts[0].rep.colbert &&
        mergeColbert(
          parts.map((p) => ({ plan: p.plan, colbert: p.rep.colbert! })),
          model.dim,
        ),
    });
    let top: { index: number; scores: Scores } | undefined;
    for (const { plan, rep } of parts) {
      const chunk = chunkOf(input, format, textIndex, plan, rep);
      if (query) {
        chunk.scores = score(rep);
        if (!top || chunk.scores.hybrid > top.scores.hybrid) top = { index: plan.index, scores: chunk.scores };
      }
      chunks.push(chunk);
    }
    if (top) best.push(top);
  });

  const out: Output = { token_counts: texts.map((t) => t.tokenCount), truncated: texts.map(() => false) };
  if (calibration) out.calibration = calibration.hash;
  if (input.return_dense) out.dense_vecs = documents.map((d) => format.dense(d.dense!));
  if (input.return_sparse) {
    out.lexical_weights = documents.map((d) => format.sparse(d.lexical));
    out.lexical_tokens = Object.fromEntries([...tokenIds].sort((a, b) => Number(a) - Number(b)).map((id) => [id, model.tokenText(Number(id))]));
  }
  if (input.return_colbert) out.colbert_vecs = documents.map((d) => format.colbert(d.colbert!));
  out.chunks = chunks;
  if (query) {
    const scores = documents.map(score);
    out.scores = {
      dense: scores.map((s) => s.dense),
      sparse: scores.map((s) => s.sparse),
      colbert: scores.map((s) => s.colbert),
      hybrid: scores.map((s) => s.hybrid),
      weights: input.score_weights,
      query_token_count: query.enc.ids.length,
      query_truncated: query.enc.truncated,
      best_chunk: {
        chunk_index: best.map((b) => b.index),
        dense: best.map((b) => b.scores.dense),
        sparse: best.map((b) => b.scores.sparse),
        colbert: best.map((b) => b.scores.colbert),
        hybrid: best.map((b) => b.scores.hybrid),
      },
    };
  }
  return out;
}
