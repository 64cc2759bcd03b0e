// What every store test starts from: a generated corpus embedded by the
// corpus job into Parquet parts (dense, sparse and ColBERT, several parts),
// and the same Predictor's /predictions output for those texts against a
// query, which the stores' rankings are compared with.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Predictor } from '../../../predict.ts';
import { makeCorpus, runJobInProcess, tempDir, toJsonl, type CorpusRow } from '../corpus.ts';
import { officialWeights } from '../server/real-model.ts';

export interface QueryVectors {
  dense: number[];
  sparse: { indices: number[]; values: number[] };
  colbert: number[][];
}

export interface Scores {
  dense: number[];
  sparse: number[];
  colbert: number[];
  hybrid: number[];
  weights: number[];
}

export interface CorpusOutput {
  corpus: CorpusRow[];
  /** The directory holding the Parquet parts. */
  dir: string;
  dim: number;
  query: string;
  /** The query's own vectors, from a prediction of the query as a text. */
  queryVectors: QueryVectors;
  /** /predictions' scores of every corpus text against the query, in corpus order. */
  scores: Scores;
  predictor: Predictor;
}

export const QUERY = 'vector search embedding alpha';

/** Embeds `rows` generated rows into parts of `partRows` rows, and predicts their scores with `scoreWeights`. */
export async function corpusOutput(opts: { rows: number; partRows: number; scoreWeights: number[] }): Promise<CorpusOutput> {
  const corpus = makeCorpus(opts.rows, 31, 30);
  const dir = tempDir('stores');
  const input = path.join(dir, 'corpus.jsonl');
  writeFileSync(input, toJsonl(corpus));
  const weights = await officialWeights();
  const predictor = new Predictor();
  await predictor.setup({ weights, log: () => {} });
  const out = path.join(dir, 'vectors');
  await runJobInProcess(predictor, { input, output: out, weights, colbert: true, partRows: opts.partRows });

  const texts = corpus.map((r) => r.text);
  const predicted = await predictor.predict({ texts, query: QUERY, score_weights: opts.scoreWeights, return_dense: false, return_sparse: false });
  const q = await predictor.predict({ texts: [QUERY], return_colbert: true, sparse_format: 'indices_values' });
  return {
    corpus,
    dir: out,
    dim: predictor.info!.dim,
    query: QUERY,
    predictor,
    queryVectors: {
      dense: q.dense_vecs![0] as number[],
      sparse: q.lexical_weights![0] as { indices: number[]; values: number[] },
      colbert: q.colbert_vecs![0] as number[][],
    },
    scores: predicted.scores as Scores,
  };
}

/** Corpus ids ordered by a score, best first; ties (none expected) by corpus order. */
export function rankBy(corpus: CorpusRow[], score: number[]): string[] {
  return corpus
    .map((r, i) => ({ id: r.id, s: score[i], i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.id);
}
