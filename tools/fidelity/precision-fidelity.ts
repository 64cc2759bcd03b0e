// How far int8 outputs are from fp32 ones on the same texts: the measures the
// int8 test, bench/int8-fidelity.ts and `npm run verify -- --precision int8`
// share. Inputs are Predictor outputs (dense_vecs, lexical_weights,
// colbert_vecs) of the same texts from an fp32 and an int8 predictor.
import { seededRandom } from '../fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../fixtures/tokenizer/corpus-sentences.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../../src/engine/heads/scoring.ts';
import { asFloatOutput } from '../../src/api/output-formats.ts';
import type { Output } from '../../src/api/schema-types.ts';

export interface FidelityText {
  kind: 'query' | 'passage' | 'long';
  language: string;
  text: string;
}

export interface Outputs {
  dense_vecs?: number[][];
  lexical_weights?: Record<string, number>[];
  colbert_vecs?: number[][][];
}

/**
 * Texts in every script of the test corpus: for each language, `perLanguage`
 * short queries (one sentence's first words), passages (two or three
 * sentences) and one long document (`longSentences` sentences).
 */
/**
 * Each text embedded on its own, with every output, in the float/dict shapes: one request per
 * text, so the comparison never depends on which texts shared a batch.
 */
export async function embedEach(predictor: { predict(input: unknown): Promise<Output> }, texts: readonly string[]): Promise<Outputs> {
  const out: Outputs = { dense_vecs: [], lexical_weights: [], colbert_vecs: [] };
  for (const text of texts) {
    const o = asFloatOutput(await predictor.predict({ texts: [text], return_colbert: true, max_length: 8192 }));
    out.dense_vecs!.push(o.dense_vecs![0]);
    out.lexical_weights!.push(o.lexical_weights![0]);
    out.colbert_vecs!.push(o.colbert_vecs![0]);
  }
  return out;
}

export function fidelityTexts(perLanguage = 2, longSentences = 40, seed = 20251130): FidelityText[] {
  const random = seededRandom(seed);
  const texts: FidelityText[] = [];
  for (const s of SCRIPT_SAMPLES) {
    const sentence = () => s.sentences[Math.floor(random() * s.sentences.length)];
    const words = (n: number) => Array.from({ length: n }, () => s.words[Math.floor(random() * s.words.length)]).join(s.joiner);
    for (let i = 0; i < perLanguage; i++) {
      texts.push({ kind: 'query', language: s.name, text: words(3 + Math.floor(random() * 4)) });
      texts.push({ kind: 'passage', language: s.name, text: [sentence(), sentence(), words(8)].join(' ') });
    }
    texts.push({ kind: 'long', language: s.name, text: Array.from({ length: longSentences }, sentence).join(' ') });
  }
  return texts;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

export interface Summary {
  min: number;
  mean: number;
  max: number;
  n: number;
}

function summarize(values: number[]): Summary {
  if (values.length === 0) return { min: NaN, mean: NaN, max: NaN, n: 0 };
  return { min: Math.min(...values), mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values), n: values.length };
}

export interface Fidelity {
  denseCosine: Summary;
  /** |w8 − w32| / w32 for every id fp32 weighs above 1% of its text's largest weight. */
  lexicalRelativeError: Summary;
  /** Per text: shared ids among the 10 heaviest of each, over 10 (or over the text's id count when fewer). */
  lexicalTop10Overlap: Summary;
  /** Per ColBERT row (token) of every text. */
  colbertRowCosine: Summary;
}

export function compareOutputs(fp32: Outputs, int8: Outputs): Fidelity {
  const dense = (fp32.dense_vecs ?? []).map((v, i) => cosine(v, int8.dense_vecs![i]));
  const relErr: number[] = [];
  const overlap: number[] = [];
  (fp32.lexical_weights ?? []).forEach((w32, i) => {
    const w8 = int8.lexical_weights![i];
    const largest = Math.max(0, ...Object.values(w32));
    for (const [id, w] of Object.entries(w32)) if (w > 0.01 * largest) relErr.push(Math.abs((w8[id] ?? 0) - w) / w);
    const top = (w: Record<string, number>) =>
      Object.entries(w)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([id]) => id);
    const a = top(w32);
    const b = new Set(top(w8));
    if (a.length) overlap.push(a.filter((id) => b.has(id)).length / a.length);
  });
  const rows: number[] = [];
  (fp32.colbert_vecs ?? []).forEach((m, i) => m.forEach((row, r) => rows.push(cosine(row, int8.colbert_vecs![i][r]))));
  return { denseCosine: summarize(dense), lexicalRelativeError: summarize(relErr), lexicalTop10Overlap: summarize(overlap), colbertRowCosine: summarize(rows) };
}

export interface Agreement {
  queries: number;
  /** Share of queries whose best-scoring passage is the same under both precisions. */
  top1Agreement: number;
  /** Spearman rank correlation of each query's hybrid scores over the passages: mean and min. */
  spearman: Summary;
}

/** Compares rankings: `scores[q][p]` is query q's hybrid score for passage p. */
export function scoreAgreement(fp32: number[][], int8: number[][]): Agreement {
  let same = 0;
  const rho: number[] = [];
  fp32.forEach((s32, q) => {
    const s8 = int8[q];
    if (argmax(s32) === argmax(s8)) same++;
    rho.push(spearman(s32, s8));
  });
  return { queries: fp32.length, top1Agreement: same / fp32.length, spearman: summarize(rho) };
}

function argmax(v: number[]): number {
  return v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
}

function ranks(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  order.forEach(([, i], k) => (r[i] = k));
  return r;
}

export function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

export function formatFidelity(f: Fidelity, a?: Agreement): string[] {
  const s = (x: Summary, d = 5) => `min ${x.min.toFixed(d)}, mean ${x.mean.toFixed(d)}, max ${x.max.toFixed(d)} (n=${x.n})`;
  const lines = [
    `dense cosine: ${s(f.denseCosine)}`,
    `lexical weight relative error: ${s(f.lexicalRelativeError, 4)}`,
    `lexical top-10 id overlap: ${s(f.lexicalTop10Overlap, 3)}`,
    `ColBERT row cosine: ${s(f.colbertRowCosine)}`,
  ];
  if (a)
    lines.push(
      `score agreement over ${a.queries} queries: top-1 passage same ${(100 * a.top1Agreement).toFixed(1)} %, Spearman of hybrid scores ${s(a.spearman, 4)}`,
    );
  return lines;
}

/** FlagEmbedding's default hybrid weights (dense, sparse, ColBERT). */
export const HYBRID_WEIGHTS = [0.4, 0.2, 0.4] as const;

/** scores[q][p]: hybrid score of query q against passage p, computed as FlagEmbedding's compute_score. */
export function hybridMatrix(queries: Outputs, passages: Outputs): number[][] {
  const f = (v: number[]) => Float32Array.from(v);
  const flat = (m: number[][]) => Float32Array.from(m.flat());
  return (queries.dense_vecs ?? []).map((qd, q) =>
    passages.dense_vecs!.map((pd, p) => {
      const dim = qd.length;
      return hybridScore(
        denseScore(f(qd), f(pd)),
        sparseScore(queries.lexical_weights![q], passages.lexical_weights![p]),
        colbertScore(flat(queries.colbert_vecs![q]), flat(passages.colbert_vecs![p]), dim),
        HYBRID_WEIGHTS,
      );
    }),
  );
}
