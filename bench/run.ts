// The benchmark:  npx tsx bench/run.ts [--quick] [--systems a,b] [--workloads a,b]
//                 [--max-batch-tokens N] [--weights DIR] [--no-write]
// Runs every system on every workload, each pair in a child process of its
// own (bench/child.ts), on the full-size generated model (or the official-
// layout model in --weights DIR); prints the tables and writes them into
// BENCHMARKS.md between the result markers.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BATCH_TOKENS } from '../predict.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { ensureInt8Model } from '../src/engine/onnx/int8-model-cache.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { TextMaker } from './corpus.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { BENCH_CACHE, REPO_ROOT, ensureFullModel, ensureTransformersJsDir, weightBytes } from './model-cache.ts';
import { BENCHMARKS_MD, replaceSection } from './report-file.ts';
import { renderReport, tokensPerSecond } from './report.ts';
import { SYSTEMS, RESULT_PREFIX, type ChildJob, type RunResult, type SystemName } from './types.ts';
import { buildWorkload, workloadSpecs, type WorkloadSpec } from './workloads.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const SEED = 20250601;

interface Options {
  quick: boolean;
  systems: SystemName[];
  workloads: string[] | null;
  maxBatchTokens: number;
  weights: string | null;
  write: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      systems: { type: 'string' },
      workloads: { type: 'string' },
      'max-batch-tokens': { type: 'string' },
      weights: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const systems = (values.systems?.split(',') ?? [...SYSTEMS]) as SystemName[];
  const unknown = systems.filter((s) => !SYSTEMS.includes(s));
  if (unknown.length) throw new Error(`unknown system(s) ${unknown.join(', ')}; choose from ${SYSTEMS.join(', ')}`);
  const budget = Number(values['max-batch-tokens'] ?? DEFAULT_MAX_BATCH_TOKENS);
  if (!Number.isInteger(budget) || budget < 1) throw new Error(`--max-batch-tokens must be a positive integer, got ${values['max-batch-tokens']}`);
  return {
    quick: values.quick!,
    systems,
    workloads: values.workloads?.split(',') ?? null,
    maxBatchTokens: budget,
    weights: values.weights ?? null,
    write: !values['no-write'],
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const started = Date.now();
  const loadBefore = loadAverage();
  console.log(`CPU: ${describeMachine().cpu}; int8: ${describeMachine().int8}`);
  console.log(`load average before: ${loadBefore}${Number(loadBefore.split(',')[0]) > 1 ? ' (is something else running? numbers may be disturbed)' : ''}`);
  const modelDir = opts.weights ? path.resolve(opts.weights) : ensureFullModel(console.log);
  const transformersDir = ensureTransformersJsDir(modelDir);
  // Built here, not in a child: quantizing once would otherwise count in a run's time and peak RSS.
  if (opts.systems.includes('predictor-int8')) await ensureInt8Model((await findModelFiles(modelDir)).model);
  const specs = workloadSpecs(opts.quick).filter((s) => !opts.workloads || opts.workloads.includes(s.name));
  const files = await writeWorkloads(specs, path.join(modelDir, 'tokenizer.json'));

  const results: RunResult[] = [];
  const failures: string[] = [];
  for (const spec of specs) {
    for (let round = 0; round < spec.repeats; round++)
      for (const system of spec.systems.filter((s) => opts.systems.includes(s))) {
        const job: ChildJob = { system, workloadFile: files.get(spec.name)!, modelDir, transformersDir, maxBatchTokens: opts.maxBatchTokens };
        process.stdout.write(`${spec.name} / ${system} … `);
        try {
          const r = await runChild(job);
          results.push(r);
          console.log(`${tokensPerSecond(r).toFixed(1)} tokens/s, ${(r.wallMs / 1000).toFixed(1)} s, peak RSS ${(r.peakRss / 2 ** 30).toFixed(2)} GiB`);
        } catch (err) {
          failures.push(`${spec.name} / ${system}: ${(err as Error).message}`);
          console.log(`FAILED: ${(err as Error).message}`);
        }
      }
  }

  const report = renderReport({
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: describeMachine(),
    loadBefore,
    loadAfter: loadAverage(),
    modelDir: path.relative(REPO_ROOT, modelDir),
    generated: !opts.weights,
    weightBytes: weightBytes(modelDir),
    maxBatchTokens: opts.maxBatchTokens,
    specs,
    results,
    failures,
    durationMs: Date.now() - started,
  });
  console.log(`\n${report}`);
  mkdirSync(BENCH_CACHE, { recursive: true });
  writeFileSync(path.join(BENCH_CACHE, `results-${Date.now()}.json`), JSON.stringify(results, null, 1));
  if (opts.write) {
    replaceSection('results', report);
    console.log(`Written to ${path.relative(process.cwd(), BENCHMARKS_MD)}.`);
  }
}

async function writeWorkloads(specs: WorkloadSpec[], tokenizerPath: string): Promise<Map<string, string>> {
  const tokenizer = await BgeTokenizer.fromFile(tokenizerPath);
  const make = new TextMaker((text) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).ids, SEED);
  const dir = path.join(BENCH_CACHE, 'workloads');
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  specs.forEach((spec, i) => {
    const file = path.join(dir, `${spec.name}.json`);
    writeFileSync(file, JSON.stringify(buildWorkload(spec, make, SEED + i)));
    files.set(spec.name, file);
  });
  return files;
}

function runChild(job: ChildJob): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult);
      else reject(new Error(`the child exited with ${signal ?? `code ${code}`} and no result${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`));
    });
  });
}

await main();
