// The corpus job's benchmark:  npx tsx bench/corpus-job.ts [--quick] [--weights DIR]
//   [--rows N] [--big-gib G] [--no-write]
// 1. Throughput: the same corpus (the `mixed` workload's shape: texts of 10 to
//    HI tokens, evenly spread on a log scale, seeded shuffle) through
//    predictor.predict() in one request (the baseline) and through the corpus
//    job (read JSONL, read-ahead window, write Parquet parts), alternating,
//    one Predictor shared, best of the rounds.
// 2. Memory: the real CLI on a generated JSONL input far larger than a JS
//    process could load at once (V8 caps a string near 512 MB), against the
//    same job on an input 32× smaller; peak RSS of each (bench/corpus-rss-child.ts).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Predictor } from '../predict.ts';
import { runJob, type JobSpec } from '../src/corpus/job.ts';
import { JobStatusLine } from '../src/cli/job-progress.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { ensureTestModels } from '../tools/fixtures/test-model/cached-models.ts';
import { TextMaker } from './corpus.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { BENCH_CACHE, REPO_ROOT, ensureFullModel } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { logSpread } from './workloads.ts';

const SEED = 20250601;
const RSS_CHILD = fileURLToPath(new URL('./corpus-rss-child.ts', import.meta.url));
const silent = Object.assign(createWriteStream('/dev/null'), { isTTY: false });

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    weights: { type: 'string' },
    rows: { type: 'string' },
    hi: { type: 'string' },
    rounds: { type: 'string' },
    'big-gib': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const quick = values.quick!;
const rows = Number(values.rows ?? (quick ? 12 : 32));
const hi = Number(values.hi ?? 1000);
const rounds = Number(values.rounds ?? (quick ? 1 : 2));
const bigGiB = Number(values['big-gib'] ?? (quick ? 0.25 : 2));

interface Timed {
  seconds: number;
  tokens: number;
}

async function throughput(modelDir: string, dir: string): Promise<{ baseline: Timed; job: Timed; tokens: number }> {
  const tokenizer = await BgeTokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  const make = new TextMaker((text) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).ids, SEED);
  const texts = logSpread(rows, 10, hi, seededRandom(SEED)).map((n) => make.make(n).text);
  const input = path.join(dir, 'mixed.jsonl');
  writeFileSync(input, texts.map((text, i) => JSON.stringify({ id: `t${i}`, text })).join('\n') + '\n');

  const predictor = new Predictor();
  await predictor.setup({ weights: modelDir, log: () => {} });
  await predictor.predict({ texts: ['warm up'] });
  const spec: JobSpec = {
    input,
    output: path.join(dir, 'out'),
    format: 'parquet',
    textColumn: 'text',
    maxLength: 8192,
    dense: true,
    sparse: true,
    colbert: false,
    shard: { index: 0, count: 1 },
    restart: true,
    weights: modelDir,
    precision: 'fp32',
    partRows: 1000,
  };
  let baseline: Timed = { seconds: Infinity, tokens: 0 };
  let job: Timed = { seconds: Infinity, tokens: 0 };
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    const out = await predictor.predict({ texts });
    const b = { seconds: (performance.now() - t) / 1000, tokens: out.token_counts.reduce((a, n) => a + n, 0) };
    console.log(`round ${r + 1}: predictor.predict ${b.seconds.toFixed(1)} s`);
    t = performance.now();
    const s = await runJob(spec, { loadPredictor: async () => predictor, progress: new JobStatusLine('bench', { stream: silent }) });
    const j = { seconds: (performance.now() - t) / 1000, tokens: s.tokens };
    console.log(`round ${r + 1}: corpus job ${j.seconds.toFixed(1)} s`);
    if (j.tokens !== b.tokens) throw new Error(`the job embedded ${j.tokens} tokens, predict() ${b.tokens}`);
    if (b.seconds < baseline.seconds) baseline = b;
    if (j.seconds < job.seconds) job = j;
  }
  await predictor.close();
  return { baseline, job, tokens: baseline.tokens };
}

/** A JSONL file of at least `bytes`, rows of ~2 KB, written as a stream. */
async function generateBig(file: string, bytes: number): Promise<number> {
  const random = seededRandom(SEED);
  const words = ['corpus', 'stream', 'vector', 'Привет', '数据', 'embedding', 'shard', 'token', 'naïve', 'lexical'];
  const out = createWriteStream(file);
  let written = 0;
  let row = 0;
  while (written < bytes) {
    const text = Array.from({ length: 250 }, () => words[Math.floor(random() * words.length)]).join(' ');
    const line = JSON.stringify({ id: `r${row++}`, text }) + '\n';
    written += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return row;
}

/** Peak RSS of the real CLI embedding `embedRows` rows spread over all of `input`. */
async function cliPeakRss(input: string, inputRows: number, embedRows: number, weights: string, out: string): Promise<{ peak: number; seconds: number }> {
  const shards = Math.max(1, Math.floor(inputRows / embedRows));
  const args = ['--input', input, '--output', out, '--shard', `0/${shards}`, '--max-length', '64', '--weights', weights, '--restart'];
  const child = spawn(process.execPath, ['--import', 'tsx', RSS_CHILD, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const t = performance.now();
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`the corpus job exited ${code}`);
  return { peak: Number(/PEAK_RSS (\d+)/.exec(stdout)![1]), seconds: (performance.now() - t) / 1000 };
}

async function memory(dir: string): Promise<string[]> {
  const weights = (await ensureTestModels()).dirs.official;
  const bigBytes = Math.round(bigGiB * 2 ** 30);
  const lines: string[] = [];
  const results: { size: number; rows: number; peak: number; seconds: number }[] = [];
  for (const bytes of [Math.round(bigBytes / 32), bigBytes]) {
    const file = path.join(dir, `big-${bytes}.jsonl`);
    console.log(`generating ${(bytes / 2 ** 20).toFixed(0)} MiB of JSONL …`);
    const inputRows = await generateBig(file, bytes);
    const r = await cliPeakRss(file, inputRows, 2000, weights, path.join(dir, 'big-out'));
    const size = statSync(file).size;
    rmSync(file);
    results.push({ size, rows: inputRows, ...r });
    console.log(`input ${(size / 2 ** 20).toFixed(0)} MiB (${inputRows} rows): peak RSS ${(r.peak / 2 ** 20).toFixed(0)} MiB, ${r.seconds.toFixed(0)} s`);
  }
  lines.push('| input | rows in the file | rows embedded (shard 0 of N) | peak RSS | RSS / input | wall |', '|---|---|---|---|---|---|');
  for (const r of results) {
    const n = Math.max(1, Math.floor(r.rows / 2000));
    lines.push(
      `| ${(r.size / 2 ** 20).toFixed(0)} MiB JSONL | ${r.rows} | ${Math.ceil(r.rows / n)} (N = ${n}) | ${(r.peak / 2 ** 20).toFixed(0)} MiB | ${(r.peak / r.size).toFixed(2)} | ${r.seconds.toFixed(0)} s |`,
    );
  }
  lines.push(
    '',
    `Peak RSS grows ${((results[1].peak / results[0].peak - 1) * 100).toFixed(0)}% for an input ${(results[1].size / results[0].size).toFixed(0)}× larger.`,
  );
  return lines;
}

function machineLine(): string {
  const m = describeMachine();
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, onnxruntime-node ${m.onnxruntime}`;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const modelDir = values.weights ? path.resolve(values.weights) : ensureFullModel(console.log);
  const dir = path.join(BENCH_CACHE, 'corpus-job');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t = await throughput(modelDir, dir);
  const rate = (x: Timed) => x.tokens / x.seconds;
  const ratio = rate(t.job) / rate(t.baseline);
  console.log(`predictor ${rate(t.baseline).toFixed(1)} tokens/s, corpus job ${rate(t.job).toFixed(1)} tokens/s: ${ratio.toFixed(2)}×`);
  const mem = await memory(dir);
  rmSync(dir, { recursive: true, force: true });
  const report = [
    `\`npx tsx bench/corpus-job.ts${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machineLine()}, load average before ${loadBefore}, after ${loadAverage()}.`,
    '',
    `Throughput on ${path.relative(REPO_ROOT, modelDir) || modelDir}: ${rows} texts of 10 to ${hi} tokens (the \`mixed\` workload's shape, ${t.tokens} tokens), best of ${rounds} alternating round(s).`,
    '',
    '| system | wall | tokens/s | vs predictor |',
    '|---|---|---|---|',
    `| predictor.predict(), all texts in one request | ${t.baseline.seconds.toFixed(1)} s | ${rate(t.baseline).toFixed(1)} | 1.00× |`,
    `| corpus job: JSONL → window → Parquet part | ${t.job.seconds.toFixed(1)} s | ${rate(t.job).toFixed(1)} | ${ratio.toFixed(2)}× |`,
    '',
    `Memory: the real CLI (\`cli.ts embed\`, tiny generated model, --max-length 64) on generated JSONL of ~2 KB rows; the shard reads every byte of the file and embeds about 2000 rows.`,
    '',
    ...mem,
  ].join('\n');
  console.log('\n' + report);
  if (!values['no-write']) replaceSection('corpus-job', report);
}

await main();
