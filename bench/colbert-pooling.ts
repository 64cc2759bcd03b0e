// colbert_pool_factor's cost: Ward pooling time against n (model-free), and at
// 8192 tokens against the forward pass that made the rows, in the same run.
//   npx tsx bench/colbert-pooling.ts [--no-model] [--write]     --write updates BENCHMARKS.md
//
// Part 1 pools synthetic normalized 1024-wide rows (the time depends on n and
// the width, O(n²·dim) for the distances and O(n²) for the chain, not on the
// values). Part 2 embeds one 8192-token text on the generated full-size model
// (bench/model-cache.ts; ~2.3 GB, made on first use) with return_colbert, then
// pools its real 8191 rows with the server's own poolColbert.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Predictor } from '../predict.ts';
import { cosineDistances, poolColbert } from '../src/api/colbert-pooling.ts';
import { decodeFloat32Base64 } from '../src/api/vector-encoding.ts';
import { ensureFullModel } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { quantile } from './stats.ts';

const DIM = 1024;
const SIZES = [128, 512, 2048, 8191];

function normalizedRows(rows: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const out = new Float32Array(rows * DIM);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let i = 0; i < DIM; i++) {
      out[r * DIM + i] = rnd();
      norm += out[r * DIM + i] ** 2;
    }
    for (let i = 0; i < DIM; i++) out[r * DIM + i] /= Math.sqrt(norm);
  }
  return out;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

interface SizeRow {
  n: number;
  distancesMs: number;
  poolMs: number;
}

function poolingVsN(): SizeRow[] {
  return SIZES.map((n) => {
    const rows = normalizedRows(n, n);
    const reps = n > 4096 ? 1 : 3;
    const dist: number[] = [];
    const pool: number[] = [];
    for (let r = 0; r < reps; r++) {
      dist.push(timed(() => cosineDistances(rows, DIM))[1]);
      pool.push(timed(() => poolColbert(rows, DIM, 2))[1]);
    }
    const row = { n, distancesMs: quantile(dist, 0.5), poolMs: quantile(pool, 0.5) };
    console.error(`n ${n}: distances ${row.distancesMs.toFixed(0)} ms, pooling (factor 2, distances included) ${row.poolMs.toFixed(0)} ms`);
    return row;
  });
}

const WORDS = 'the river bank at dawn where a quick brown fox met seven lazy dogs and talked about prices of 5.5 dollars'.split(' ');

async function forwardVsPooling(): Promise<{ tokens: number; forwardMs: number; pool: { factor: number; ms: number; rows: number }[] }> {
  const weights = ensureFullModel(console.error);
  const p = new Predictor();
  await p.setup({ weights, log: () => {} });
  const text = Array.from({ length: 12000 }, (_, i) => (i % 4 === 0 ? `n${i}` : WORDS[(i * 7) % WORDS.length])).join(' ');
  const input = { texts: [text], max_length: 8192, return_dense: false, return_sparse: false, return_colbert: true, vector_encoding: 'base64' };
  const t0 = performance.now();
  const out = await p.predict(input);
  const forwardMs = performance.now() - t0;
  await p.close();
  const rows = decodeFloat32Base64(out.colbert_vecs![0] as string);
  console.error(`forward pass of ${out.token_counts[0]} tokens (return_colbert): ${forwardMs.toFixed(0)} ms`);
  const pool = [2, 4].map((factor) => {
    const [pooled, ms] = timed(() => poolColbert(rows, DIM, factor));
    console.error(`pooling its ${rows.length / DIM} rows at factor ${factor}: ${ms.toFixed(0)} ms → ${pooled.length / DIM} rows`);
    return { factor, ms, rows: pooled.length / DIM };
  });
  return { tokens: out.token_counts[0], forwardMs, pool };
}

async function main(): Promise<void> {
  const sizes = poolingVsN();
  const model = process.argv.includes('--no-model') ? undefined : await forwardVsPooling();
  const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  const lines = [
    '## colbert_pool_factor: Ward pooling vs the forward pass (`npx tsx bench/colbert-pooling.ts --write`)',
    '',
    `Node ${process.version}, one thread for pooling, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores at load average ${loadavg()[0].toFixed(1)}.`,
    'Pooling is `poolColbert` (src/api/colbert-pooling.ts): the condensed 1 − cos matrix of the rows (n(n−1)/2 float64s:',
    '268 MB at n = 8191), Ward by the nearest-neighbour chain, the clusters\u2019 means. Synthetic normalized 1024-wide rows',
    '(the time does not depend on their values); medians of 3 runs, 1 at n = 8191.',
    '',
    '| ColBERT rows n | 1 − cos distances | pooling, factor 2 (distances included) | vs n = 2048 |',
    '|---|---|---|---|',
    ...sizes.map((r) => `| ${r.n} | ${s(r.distancesMs)} | ${s(r.poolMs)} | ×${(r.poolMs / sizes[2].poolMs).toFixed(2)} |`),
  ];
  if (model) {
    lines.push(
      '',
      `One text of ${model.tokens} tokens on the generated full-size model (fp32, return_colbert only, base64), then its real`,
      'rows pooled, in the same run:',
      '',
      '| step | time | vs the forward pass |',
      '|---|---|---|',
      `| predict(): tokenize, forward pass, heads, output | ${s(model.forwardMs)} | 1 |`,
      ...model.pool.map(
        (x) => `| pool its ${model.tokens - 1} rows to ${x.rows} (factor ${x.factor}) | ${s(x.ms)} | ×${(x.ms / model.forwardMs).toFixed(2)} |`,
      ),
    );
  }
  const section = lines.join('\n');
  console.log(section);
  if (process.argv.includes('--write')) replaceSection('colbert-pooling', section);
}

await main();
