// What the compact outputs cost and change: for each option (vector_type,
// sparse_top_k / sparse_min_weight, colbert_pool_factor) and a few
// combinations, on the generated full-size model and the multilingual
// sentences of the test corpus:
//   - bytes per text of dense, ColBERT and sparse against float32;
//   - agreement of each query's passage ranking with the exact scores (dense,
//     sparse, ColBERT, hybrid): Spearman's rho, top-1 agreement, top-10 overlap,
//     the compact scores being what score_compact computes;
//   - each option's work per text against the forward pass, in the same run.
//   npx tsx bench/compact-outputs.ts [--write]     --write updates BENCHMARKS.md
//
// The generated model's weights are random: these numbers show the mechanics
// (how much each option moves the scores of such vectors), not retrieval
// quality, for which BENCHMARKS.md puts published figures for trained models beside them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Predictor } from '../predict.ts';
import { ColbertPooler } from '../src/api/pooling/pool-worker.ts';
import { pruneLexical, type SparsePruning } from '../src/api/sparse-pruning.ts';
import { decodeFloat32Base64 } from '../src/api/vector-encoding.ts';
import { quantize, scoringRows, scoringVector, type VectorType } from '../src/api/vector-types.ts';
import type { CalibrationRanges } from '../src/api/calibration.ts';
import type { LexicalWeights } from '../src/engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../src/engine/heads/scoring.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../tools/fixtures/tokenizer/corpus-sentences.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { replaceSection } from './report-file.ts';

const PASSAGES = 80;
const WEIGHTS = [0.4, 0.2, 0.4];

interface Embedded {
  tokens: number;
  dense: Float32Array;
  colbert: Float32Array;
  lexical: LexicalWeights;
}

interface Option {
  name: string;
  type: VectorType;
  pruning: SparsePruning;
  factor: number;
}

/** Queries: the first two sentences of each script; passages: 3 to 8 other sentences drawn at random (seeded). */
function corpus(): { queries: string[]; passages: string[] } {
  const queries = SCRIPT_SAMPLES.flatMap((s) => s.sentences.slice(0, 2));
  const pool = SCRIPT_SAMPLES.flatMap((s) => s.sentences.slice(2));
  const random = seededRandom(2024);
  const passages = Array.from({ length: PASSAGES }, () =>
    Array.from({ length: 3 + Math.floor(random() * 6) }, () => pool[Math.floor(random() * pool.length)]).join(' '),
  );
  return { queries, passages };
}

async function embed(p: Predictor, texts: string[]): Promise<{ out: Embedded[]; ms: number }> {
  const t0 = performance.now();
  const o = await p.predict({ texts, return_dense: true, return_sparse: true, return_colbert: true, vector_encoding: 'base64' });
  const ms = performance.now() - t0;
  const out = texts.map((_, i) => ({
    tokens: o.token_counts[i],
    dense: decodeFloat32Base64(o.dense_vecs![i] as string),
    colbert: decodeFloat32Base64(o.colbert_vecs![i] as string),
    lexical: o.lexical_weights![i] as LexicalWeights,
  }));
  return { out, ms };
}

/** Ranks with ties averaged, 1-based. */
function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const r = new Array<number>(xs.length);
  for (let a = 0; a < order.length; ) {
    let b = a;
    while (b + 1 < order.length && order[b + 1].x === order[a].x) b++;
    for (let k = a; k <= b; k++) r[order[k].i] = (a + b) / 2 + 1;
    a = b + 1;
  }
  return r;
}

function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da && db ? num / Math.sqrt(da * db) : 1;
}

/** Indices of the k highest scores (ties: the lower index first). */
function top(xs: number[], k: number): number[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => b.x - a.x || a.i - b.i)
    .slice(0, k)
    .map((e) => e.i);
}

interface Agreement {
  rho: number;
  top1: number;
  top10: number;
}

function agreement(exact: number[][], compact: number[][]): Agreement {
  const n = exact.length;
  let rho = 0;
  let top1 = 0;
  let top10 = 0;
  for (let q = 0; q < n; q++) {
    rho += spearman(exact[q], compact[q]);
    top1 += top(exact[q], 1)[0] === top(compact[q], 1)[0] ? 1 : 0;
    const want = new Set(top(exact[q], 10));
    top10 += top(compact[q], 10).filter((i) => want.has(i)).length / 10;
  }
  return { rho: rho / n, top1: top1 / n, top10: top10 / n };
}

type Kind = 'dense' | 'sparse' | 'colbert' | 'hybrid';
type Scores = Record<Kind, number[][]>;

function scoreAll(queries: Embedded[], passages: Embedded[], dim: number): Scores {
  const s: Scores = { dense: [], sparse: [], colbert: [], hybrid: [] };
  for (const q of queries) {
    const d = passages.map((p) => denseScore(q.dense, p.dense));
    const sp = passages.map((p) => sparseScore(q.lexical, p.lexical));
    const c = passages.map((p) => colbertScore(q.colbert, p.colbert, dim));
    s.dense.push(d);
    s.sparse.push(sp);
    s.colbert.push(c);
    s.hybrid.push(d.map((x, i) => hybridScore(x, sp[i], c[i], WEIGHTS)));
  }
  return s;
}

const BYTES_PER_VALUE: Record<VectorType, number> = { float32: 4, float16: 2, int8: 1, uint8: 1, binary: 1 / 8, ubinary: 1 / 8 };

interface Row {
  option: Option;
  bytes: { dense: number; colbert: number; sparse: number };
  agreement: Record<Kind, Agreement>;
  /** Work per text: quantizing, pruning, pooling (ms). */
  costMs: number;
}

async function measure(
  option: Option,
  passages: Embedded[],
  queries: Embedded[],
  exact: Scores,
  dim: number,
  cal: CalibrationRanges,
  pooler: ColbertPooler,
): Promise<Row> {
  const t0 = performance.now();
  const compact: Embedded[] = [];
  for (const p of passages) {
    const colbert = option.factor > 1 ? await pooler.pool(p.colbert, dim, option.factor) : p.colbert;
    const lexical = pruneLexical(p.lexical, option.pruning);
    // The server's work for vector_type: each vector and ColBERT row to its bytes.
    if (option.type !== 'float32') {
      quantize(p.dense, option.type, cal.dense);
      for (let r = 0; r < colbert.length; r += dim) quantize(colbert.subarray(r, r + dim), option.type, cal.colbert);
    }
    compact.push({ tokens: p.tokens, dense: p.dense, colbert, lexical });
  }
  const costMs = (performance.now() - t0) / passages.length;
  // What score_compact compares: the stored vectors decoded, the query in the same type.
  const asStored = (e: Embedded): Embedded => ({
    ...e,
    dense: scoringVector(e.dense, option.type, cal.dense),
    colbert: scoringRows(e.colbert, dim, option.type, cal.colbert),
  });
  const scores = scoreAll(queries.map(asStored), compact.map(asStored), dim);
  const mean = (f: (e: Embedded) => number) => compact.reduce((s, e) => s + f(e), 0) / compact.length;
  const perValue = BYTES_PER_VALUE[option.type];
  return {
    option,
    bytes: {
      dense: dim * perValue,
      colbert: mean((e) => (e.colbert.length / dim) * dim * perValue),
      sparse: mean((e) => Object.keys(e.lexical).length * 8),
    },
    agreement: {
      dense: agreement(exact.dense, scores.dense),
      sparse: agreement(exact.sparse, scores.sparse),
      colbert: agreement(exact.colbert, scores.colbert),
      hybrid: agreement(exact.hybrid, scores.hybrid),
    },
    costMs,
  };
}

/** Mean cosine of pairs of ColBERT rows (up to 40 a text): within one text, and between a text and the next. */
function rowCosines(passages: Embedded[], dim: number): { within: number; across: number } {
  const cos = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < dim; d++) {
      s += a[i * dim + d] * b[j * dim + d];
      na += a[i * dim + d] ** 2;
      nb += b[j * dim + d] ** 2;
    }
    return s / Math.sqrt(na * nb);
  };
  let within = 0;
  let across = 0;
  let nw = 0;
  let na = 0;
  passages.forEach((p, t) => {
    const next = passages[(t + 1) % passages.length];
    const n = Math.min(40, p.colbert.length / dim);
    const m = Math.min(40, next.colbert.length / dim);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, nw++) within += cos(p.colbert, i, p.colbert, j);
      for (let j = 0; j < m; j++, na++) across += cos(p.colbert, i, next.colbert, j);
    }
  });
  return { within: within / nw, across: across / na };
}

function options(medianWeight: number): Option[] {
  const none: SparsePruning = {};
  const w = Number(medianWeight.toPrecision(2));
  return [
    { name: 'float32 (exact)', type: 'float32', pruning: none, factor: 1 },
    { name: 'vector_type float16', type: 'float16', pruning: none, factor: 1 },
    { name: 'vector_type int8 (uint8 the same)', type: 'int8', pruning: none, factor: 1 },
    { name: 'vector_type binary (ubinary the same)', type: 'binary', pruning: none, factor: 1 },
    { name: 'sparse_top_k 64', type: 'float32', pruning: { topK: 64 }, factor: 1 },
    { name: 'sparse_top_k 16', type: 'float32', pruning: { topK: 16 }, factor: 1 },
    { name: `sparse_min_weight ${w} (the passages' median weight)`, type: 'float32', pruning: { minWeight: w }, factor: 1 },
    { name: 'colbert_pool_factor 2', type: 'float32', pruning: none, factor: 2 },
    { name: 'colbert_pool_factor 3', type: 'float32', pruning: none, factor: 3 },
    { name: 'colbert_pool_factor 4', type: 'float32', pruning: none, factor: 4 },
    { name: 'int8 + pool 2 + top_k 64', type: 'int8', pruning: { topK: 64 }, factor: 2 },
    { name: 'binary + pool 4 + top_k 16', type: 'binary', pruning: { topK: 16 }, factor: 4 },
  ];
}

function report(
  rows: Row[],
  forward: { ms: number; texts: number; tokens: number },
  q: number,
  cosines: { within: number; across: number },
  medianWeight: number,
): string {
  const m = describeMachine();
  const base = rows[0].bytes;
  const kib = (b: number) => (b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`);
  const ratio = (b: number, of: number) => (b === of ? '1' : `${(b / of).toFixed(b / of < 0.1 ? 3 : 2)}`);
  const fwdPerText = forward.ms / forward.texts;
  const a = (x: Agreement) => `${x.rho.toFixed(3)} / ${Math.round(x.top1 * 100)}% / ${Math.round(x.top10 * 100)}%`;
  return [
    '## Compact outputs: bytes, agreement with the exact scores, cost (`npx tsx bench/compact-outputs.ts --write`)',
    '',
    `${m.cpu}, ${m.cores} cores, Node ${m.node}, onnxruntime-node ${m.onnxruntime}, ${new Date().toISOString().slice(0, 10)}; load average`,
    `${loadAverage()} at the end (the machine was shared with other work: the times are loaded ones, the ratios are from one run).`,
    `The generated full-size model (fp32, **random weights**), ${q} queries (two sentences of each script of the`,
    `multilingual test corpus, tools/fixtures/tokenizer/corpus-sentences.ts) against ${forward.texts} passages of 3 to 8 of its other`,
    `sentences (${Math.round(forward.tokens / forward.texts)} tokens on average). Exact: the float32 vectors and all lexical weights. Compact: what`,
    '`score_compact` computes (the stored vectors decoded as README.md describes, the query in the same vector_type, never',
    'pruned or pooled). Hybrid weights 0.4 / 0.2 / 0.4.',
    '',
    '**The weights are random, so this measures mechanics — how far each option moves the scores of vectors like these —',
    'not retrieval quality**, and a random model’s vectors are unlike a trained one’s in ways that matter here:',
    `- its ColBERT rows collapse to nearly one direction (the mean cosine of two rows of one passage is ${cosines.within.toFixed(4)},`,
    `  of a row of one passage and one of the next ${cosines.across.toFixed(4)}), so pooling averages near-identical rows and`,
    '  cannot move the ColBERT ranking: the pooling rows below show bytes and cost, their agreement says nothing;',
    `- its lexical weights are large and flat (median ${medianWeight.toPrecision(2)}), so pruning removes much of the sparse score`,
    '  and, with hybrid weights of 0.4 / 0.2 / 0.4, the hybrid ranking follows the sparse one closely;',
    '- its dense and ColBERT vectors are what the quantization rows act on, as they would on any vectors: these rows are',
    '  the most transferable, and the published figures below say what they cost on trained models.',
    '',
    '| option | dense bytes (vs float32) | ColBERT bytes per text | sparse bytes per text | work per text vs forward pass |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.option.name} | ${kib(r.bytes.dense)} (${ratio(r.bytes.dense, base.dense)}) | ${kib(r.bytes.colbert)} (${ratio(r.bytes.colbert, base.colbert)}) | ${kib(r.bytes.sparse)} (${ratio(r.bytes.sparse, base.sparse)}) | ${r.costMs.toFixed(2)} ms, ×${(r.costMs / fwdPerText).toFixed(4)} |`,
    ),
    '',
    `Forward pass (predict() of the ${forward.texts} passages with dense, sparse and ColBERT, base64): ${(forward.ms / 1000).toFixed(1)} s, ${fwdPerText.toFixed(0)} ms a text.`,
    'Sparse bytes count 8 a kept weight (int32 id + float32 weight, as the Parquet columns hold them). Work per text: quantizing',
    'the dense vector and every ColBERT row, pruning, and pooling in the pooling thread, in this process.',
    '',
    'Agreement with the exact ranking of the passages, per query, averaged: Spearman’s ρ / top-1 the same / top-10 overlap.',
    '',
    '| option | dense | sparse | ColBERT | hybrid |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.option.name} | ${a(r.agreement.dense)} | ${a(r.agreement.sparse)} | ${a(r.agreement.colbert)} | ${a(r.agreement.hybrid)} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'bench-calibration-')) });
  await p.setup({ weights: ensureFullModel(console.error), log: () => {} });
  const dim = p.info!.dim;
  const { queries, passages } = corpus();
  await p.predict({ texts: [queries[0]] }); // warm-up: first-run allocations
  const cal = await p.calibration();
  const q = await embed(p, queries);
  const docs = await embed(p, passages);
  console.error(`forward pass of ${passages.length} passages: ${docs.ms.toFixed(0)} ms`);
  const exact = scoreAll(q.out, docs.out, dim);
  const weights = docs.out.flatMap((d) => Object.values(d.lexical)).sort((x, y) => x - y);
  const pooler = new ColbertPooler();
  const rows: Row[] = [];
  for (const option of options(weights[Math.floor(weights.length / 2)])) {
    const row = await measure(option, docs.out, q.out, exact, dim, cal, pooler);
    console.error(`${option.name}: hybrid rho ${row.agreement.hybrid.rho.toFixed(3)}, ${row.costMs.toFixed(2)} ms a text`);
    rows.push(row);
  }
  await pooler.close();
  await p.close();
  const tokens = docs.out.reduce((s, d) => s + d.tokens, 0);
  const cosines = rowCosines(docs.out, dim);
  const section = report(rows, { ms: docs.ms, texts: passages.length, tokens }, queries.length, cosines, weights[Math.floor(weights.length / 2)]);
  console.log(section);
  if (process.argv.includes('--write')) replaceSection('compact-outputs', section);
}

await main();
