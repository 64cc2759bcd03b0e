// The rerank answer from the engine's raw vectors: each document's dense,
// sparse and ColBERT score against the query and their weighted hybrid, by the
// same FlagEmbedding rules (src/engine/heads/scoring.ts) as /predictions'
// `scores`, and the ranking of documents by hybrid score.
import { lexicalWeights } from '../engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../engine/heads/scoring.ts';
import type { TextEmbedding, TokenIds } from '../engine/types.ts';
import type { DocumentScore, ScoreWeights } from './rerank-request.ts';

export interface Embedded {
  ids: TokenIds;
  /** dense, tokenWeights and colbert, all three. */
  emb: TextEmbedding;
}

/** Each document's scores against the query, in document order. */
export function scoreDocuments(query: Embedded, docs: readonly Embedded[], dim: number, w: ScoreWeights): DocumentScore[] {
  const qLexical = lexicalWeights(query.ids, query.emb.tokenWeights!);
  return docs.map(({ ids, emb }) => {
    const dense = denseScore(query.emb.dense!, emb.dense!);
    const sparse = sparseScore(qLexical, lexicalWeights(ids, emb.tokenWeights!));
    const colbert = colbertScore(query.emb.colbert!, emb.colbert!, dim);
    return { dense, sparse, colbert, hybrid: hybridScore(dense, sparse, colbert, w) };
  });
}

/** Indices of `scores`, best first; equal scores keep request order. */
export function rankOrder(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** The first `topN` of the ranking (all of them when topN is undefined). */
export function topRanked(scores: readonly number[], topN?: number): number[] {
  const order = rankOrder(scores);
  return topN === undefined ? order : order.slice(0, topN);
}
