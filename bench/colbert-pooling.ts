// colbert_pool_factor's cost: Ward pooling against n (model-free), and for
// texts of 512, 2048 and 8192 tokens against the forward pass that made the
// rows, in the same run; and how long the main thread's event loop stalls.
//   npx tsx bench/colbert-pooling.ts [--no-model] [--write]     --write updates BENCHMARKS.md
//
// Two ways to pool: `poolColbert` on the calling thread (the distances in a
// JavaScript loop), and the Predictor's: the pooling thread
// (src/api/pooling/) with the distances from onnxruntime's float64 GEMM. Part 1
// pools synthetic normalized 1024-wide rows (the time depends on n and the
// width, not on the values). Part 2 embeds texts on the generated full-size
// model (bench/model-cache.ts; ~2.3 GB, made on first use) with
// return_colbert, then pools their real rows in the pooling thread.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Predictor } from '../predict.ts';
import { poolColbert } from '../src/api/colbert-pooling.ts';
import { ColbertPooler } from '../src/api/pooling/pool-worker.ts';
import { decodeFloat32Base64 } from '../src/api/vector-encoding.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { quantile } from './stats.ts';

const DIM = 1024;
const SIZES = [128, 512, 2048, 8191];
/** Above this, the main-thread JavaScript pooling is not run (54 s at 8191 rows in the earlier run). */
const JS_MAX_ROWS = 2048;

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

/** Wall time of `f` and the longest the event loop waited meanwhile. */
async function timed<T>(f: () => T | Promise<T>): Promise<{ value: T; ms: number; stallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const value = await f();
  const ms = performance.now() - t0;
  h.disable();
  return { value, ms, stallMs: h.count ? h.max / 1e6 : ms };
}

interface SizeRow {
  n: number;
  jsMs?: number;
  threadMs: number;
  threadStallMs: number;
}

async function poolingVsN(pooler: ColbertPooler): Promise<SizeRow[]> {
  const out: SizeRow[] = [];
  for (const n of SIZES) {
    const rows = normalizedRows(n, n);
    const reps = n > 4096 ? 1 : 3;
    const js: number[] = [];
    const thread: number[] = [];
    const stall: number[] = [];
    for (let r = 0; r < reps; r++) {
      if (n <= JS_MAX_ROWS) js.push((await timed(() => poolColbert(rows, DIM, 2))).ms);
      const t = await timed(() => pooler.pool(rows, DIM, 2));
      thread.push(t.ms);
      stall.push(t.stallMs);
    }
    const row = { n, jsMs: js.length ? quantile(js, 0.5) : undefined, threadMs: quantile(thread, 0.5), threadStallMs: Math.max(...stall) };
    console.error(
      `n ${n}: main thread ${row.jsMs?.toFixed(0) ?? '-'} ms, pooling thread ${row.threadMs.toFixed(0)} ms (event loop stalled ${row.threadStallMs.toFixed(0)} ms at most)`,
    );
    out.push(row);
  }
  return out;
}

const WORDS = 'the river bank at dawn where a quick brown fox met seven lazy dogs and talked about prices of 5.5 dollars'.split(' ');

interface ModelRow {
  tokens: number;
  forwardMs: number;
  pool: { factor: number; ms: number; rows: number; stallMs: number }[];
}

async function forwardVsPooling(pooler: ColbertPooler): Promise<ModelRow[]> {
  const weights = ensureFullModel(console.error);
  const p = new Predictor();
  await p.setup({ weights, log: () => {} });
  const text = Array.from({ length: 12000 }, (_, i) => (i % 4 === 0 ? `n${i}` : WORDS[(i * 7) % WORDS.length])).join(' ');
  await p.predict({ texts: [text], max_length: 512, return_colbert: true }); // warm-up: first-run allocations
  const out: ModelRow[] = [];
  for (const maxLength of [512, 2048, 8192]) {
    const input = { texts: [text], max_length: maxLength, return_dense: false, return_sparse: false, return_colbert: true, vector_encoding: 'base64' };
    const forward = await timed(() => p.predict(input));
    const rows = decodeFloat32Base64(forward.value.colbert_vecs![0] as string);
    const tokens = forward.value.token_counts[0];
    console.error(`forward pass of ${tokens} tokens (return_colbert): ${forward.ms.toFixed(0)} ms`);
    const pool = [];
    for (const factor of [2, 4]) {
      const t = await timed(() => pooler.pool(rows, DIM, factor));
      console.error(
        `pooling its ${rows.length / DIM} rows at factor ${factor}: ${t.ms.toFixed(0)} ms → ${t.value.length / DIM} rows, event loop stalled ${t.stallMs.toFixed(0)} ms at most`,
      );
      pool.push({ factor, ms: t.ms, rows: t.value.length / DIM, stallMs: t.stallMs });
    }
    out.push({ tokens, forwardMs: forward.ms, pool });
  }
  await p.close();
  return out;
}

async function main(): Promise<void> {
  const pooler = new ColbertPooler();
  const sizes = await poolingVsN(pooler);
  const model = process.argv.includes('--no-model') ? undefined : await forwardVsPooling(pooler);
  await pooler.close();
  const m = describeMachine();
  const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  const lines = [
    '## colbert_pool_factor: Ward pooling vs the forward pass (`npx tsx bench/colbert-pooling.ts --write`)',
    '',
    `${m.cpu}, ${m.cores} cores, Node ${m.node}, onnxruntime-node ${m.onnxruntime}, ${new Date().toISOString().slice(0, 10)};`,
    `load average ${loadAverage()} at the end (the machine was shared with other work, so the times are loaded ones).`,
    'Main thread: `poolColbert` (src/api/colbert-pooling.ts), the 1 − cos distances in a JavaScript loop, as pooling ran',
    'before. Pooling thread: what the Predictor does now (src/api/pooling/): the distances from onnxruntime’s float64',
    'GEMM in blocks of 1024 rows, Ward by the nearest-neighbour chain on the condensed matrix (n(n−1)/2 float64s:',
    '268 MB at n = 8191), the clusters’ means. “Stall” is the longest the main thread’s event loop waited meanwhile',
    '(10 ms resolution). Synthetic normalized 1024-wide rows, factor 2; medians of 3 runs, 1 at n = 8191.',
    '',
    '| ColBERT rows n | main thread | pooling thread | ratio | event loop stall |',
    '|---|---|---|---|---|',
    ...sizes.map(
      (r) =>
        `| ${r.n} | ${r.jsMs === undefined ? 'not run (54 s before)' : s(r.jsMs)} | ${s(r.threadMs)} | ${r.jsMs === undefined ? '' : `×${(r.threadMs / r.jsMs).toFixed(2)}`} | ${s(r.threadStallMs)} |`,
    ),
  ];
  if (model) {
    lines.push(
      '',
      'One text cut at 512, 2048 and 8192 tokens on the generated full-size model (fp32, return_colbert only, base64), then',
      'its real rows pooled in the pooling thread, in the same run:',
      '',
      '| tokens | predict(): tokenize, forward pass, heads, output | pool to factor 2 | factor 4 | pooling vs the forward pass | event loop stall |',
      '|---|---|---|---|---|---|',
      ...model.map(
        (r) =>
          `| ${r.tokens} | ${s(r.forwardMs)} | ${s(r.pool[0].ms)} (${r.pool[0].rows} rows) | ${s(r.pool[1].ms)} (${r.pool[1].rows} rows) | ×${(r.pool[0].ms / r.forwardMs).toFixed(3)}, ×${(r.pool[1].ms / r.forwardMs).toFixed(3)} | ${s(Math.max(...r.pool.map((x) => x.stallMs)))} |`,
      ),
    );
  }
  const section = lines.join('\n');
  console.log(section);
  if (process.argv.includes('--write')) replaceSection('colbert-pooling', section);
}

await main();
