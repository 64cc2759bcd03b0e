// How onnxruntime's session options and batch shapes change the speed of the
// full-size backbone:  npx tsx bench/session-options.ts [--study options|shapes|attention|int8]
//   [--configs a,b] [--rounds N] [--reps N] [--weights DIR] [--write] [--profile]
// Each configuration runs in a child process of its own, rounds alternate the
// configurations (so a slow minute on a shared machine hits all of them), and
// the table shows the median time per shape. --write puts the table into
// BENCHMARKS.md between its markers. --profile runs onnxruntime's profiler
// (which slows every pass) and prints where each shape's time went instead.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { DEFAULT_ATTENTION_ROWS, openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision } from '../src/engine/onnx/precision.ts';
import type { QuantizeOptions } from '../src/engine/onnx/quantize-matmuls.ts';
import { loadAverage } from './machine.ts';
import { BENCH_CACHE, ensureFullModel } from './model-cache.ts';
import { describeShares, opShares } from './profile-ops.ts';
import { replaceSection } from './report-file.ts';
import { GIB, quantile } from './stats.ts';

type Shape = [rows: number, seq: number];

interface Config {
  /** On top of the product's sessionOptions() (arena on, spinning off). */
  options?: ort.InferenceSession.SessionOptions;
  /** Query rows per attention slice; 0 = whole attention; default the product's. */
  attentionRows?: number;
  /** Runs the int8 rewrite with these options over the product's defaults. */
  int8?: Partial<QuantizeOptions>;
}

/** The product's own spinning setting (BGE_M3_SPIN_THREADS=1). */
const SPINNING = { extra: sessionOptions({ spinThreads: true }).extra };

const CONFIGS: Record<string, Config> = {
  current: {},
  'threads-1': { options: { intraOpNumThreads: 1 } },
  'opt-disabled': { options: { graphOptimizationLevel: 'disabled' } },
  'opt-basic': { options: { graphOptimizationLevel: 'basic' } },
  'opt-extended': { options: { graphOptimizationLevel: 'extended' } },
  'no-arena': { options: { enableCpuMemArena: false } },
  'no-mem-pattern': { options: { enableMemPattern: false } },
  spinning: { options: SPINNING },
  'whole-attention': { attentionRows: 0 },
  'rows-256': { attentionRows: 256 },
  'rows-1024': { attentionRows: 1024 },
  int8: { int8: {} },
  'int8-u8': { int8: { weightType: 'uint8', reduceRange: false } },
  'int8-spinning': { int8: {}, options: SPINNING },
};

const STUDIES: Record<string, { configs: string[]; shapes: Shape[] }> = {
  options: {
    configs: ['current', 'threads-1', 'opt-disabled', 'opt-basic', 'opt-extended', 'no-arena', 'no-mem-pattern', 'spinning'],
    shapes: [
      [1, 10],
      [16, 10],
      [1, 128],
      [4, 128],
      [1, 1024],
    ],
  },
  attention: {
    configs: ['whole-attention', 'current', 'rows-1024'],
    shapes: [[1, 8192]],
  },
  int8: {
    configs: ['current', 'int8', 'int8-u8', 'int8-spinning'],
    shapes: [
      [1, 12],
      [8, 128],
      [1, 1024],
    ],
  },
  shapes: {
    configs: ['current'],
    shapes: [
      [1, 8],
      [1, 32],
      [1, 128],
      [1, 512],
      [2, 128],
      [4, 128],
      [8, 128],
      [16, 128],
      [4, 8],
      [16, 8],
      [64, 8],
      [4, 32],
      [16, 32],
      [2, 512],
      [4, 512],
    ],
  },
};

interface ChildOutput {
  config: string;
  loadMs: number;
  peakRss: number;
  times: Record<string, number[]>;
  shares?: Record<string, string>;
}

const key = ([r, s]: Shape) => `${r}×${s}`;

async function child(config: string, shapes: Shape[], reps: number, weights: string, profile: boolean): Promise<ChildOutput> {
  const files = await findModelFiles(weights);
  const start = performance.now();
  const { options, attentionRows = DEFAULT_ATTENTION_ROWS, int8 } = CONFIGS[config];
  const int8CacheRoot = path.join(BENCH_CACHE, 'int8-variants', config);
  const { modelPath } = int8 ? await loadPrecision(files.model, { precision: 'int8', quantize: int8, int8CacheRoot }) : { modelPath: files.model };
  const profileDir = profile ? mkdtempSync(path.join(os.tmpdir(), 'bge-m3-profile-')) : '';
  const profiling = profile ? { enableProfiling: true, profileFilePrefix: path.join(profileDir, 'run') } : {};
  const { session } = await openBackbone(modelPath, { ...sessionOptions(), ...options, ...profiling }, attentionRows);
  const loadMs = performance.now() - start;
  await run(session, [1, 16]);
  const times: Record<string, number[]> = {};
  for (const shape of shapes) {
    times[key(shape)] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      await run(session, shape);
      times[key(shape)].push(performance.now() - t);
    }
  }
  const output: ChildOutput = { config, loadMs, peakRss: process.resourceUsage().maxRSS * 1024, times };
  if (profile) {
    session.endProfiling();
    const passes = opShares(path.join(profileDir, readdirSync(profileDir)[0]), shapes.length * reps);
    output.shares = Object.fromEntries(shapes.map((shape, i) => [key(shape), describeShares(passes.slice(i * reps, (i + 1) * reps))]));
    rmSync(profileDir, { recursive: true, force: true });
  }
  return output;
}

async function run(session: ort.InferenceSession, [rows, seq]: Shape): Promise<void> {
  const ids = new BigInt64Array(rows * seq);
  for (let i = 0; i < ids.length; i++) ids[i] = BigInt(5 + ((i * 7919) % 3990));
  const dims = [rows, seq];
  await session.run(
    {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    },
    ['token_embeddings'],
  );
}

function spawnChild(config: string, shapes: Shape[], reps: number, weights: string, profile: boolean): Promise<ChildOutput> {
  const script = fileURLToPath(import.meta.url);
  const args = [
    '--import',
    'tsx',
    script,
    '--child',
    config,
    '--shapes',
    JSON.stringify(shapes),
    '--reps',
    String(reps),
    '--weights',
    weights,
    ...(profile ? ['--profile'] : []),
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildOutput) : reject(new Error(`${config}: exit code ${code}`)),
    );
  });
}

function table(study: string, shapes: Shape[], outputs: ChildOutput[], meta: string): string {
  const configs = [...new Set(outputs.map((o) => o.config))];
  const lines = [
    `Study \`${study}\`: median ms per forward pass (tokens/s in brackets). ${meta}`,
    '',
    `| config | load s | peak RSS | ${shapes.map(key).join(' | ')} |`,
    `|---|---:|---:|${shapes.map(() => '---:').join('|')}|`,
  ];
  for (const c of configs) {
    const mine = outputs.filter((o) => o.config === c);
    const cells = shapes.map((s) => {
      const ms = quantile(
        mine.flatMap((o) => o.times[key(s)]),
        0.5,
      );
      return `${ms.toFixed(0)} (${((s[0] * s[1] * 1000) / ms).toFixed(0)})`;
    });
    const load =
      quantile(
        mine.map((o) => o.loadMs),
        0.5,
      ) / 1000;
    const rss = Math.max(...mine.map((o) => o.peakRss)) / GIB;
    lines.push(`| ${c} | ${load.toFixed(1)} | ${rss.toFixed(2)} GiB | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Where each configuration's passes spent their time, from its last round's profile. */
function profileTable(study: string, shapes: Shape[], outputs: ChildOutput[], meta: string): string {
  const last = new Map(outputs.map((o) => [o.config, o]));
  return [
    `Study \`${study}\`, profiled (onnxruntime's profiler slows small operators most): share of the pass per operator type. ${meta.replace(/`\.$/, ' --profile`.')}`,
    '',
    `| config | ${shapes.map((s) => `${key(s)}: ms, where it went`).join(' | ')} |`,
    `|---|${shapes.map(() => '---').join('|')}|`,
    ...[...last.values()].map(
      (o) => `| ${o.config} | ${shapes.map((s) => `${quantile(o.times[key(s)], 0.5).toFixed(0)}: ${o.shares![key(s)]}`).join(' | ')} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      shapes: { type: 'string' },
      study: { type: 'string', default: 'options' },
      configs: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      reps: { type: 'string', default: '2' },
      weights: { type: 'string' },
      write: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const profile = values.profile!;
  const reps = Number(values.reps);
  if (values.child) {
    console.log(JSON.stringify(await child(values.child, JSON.parse(values.shapes!) as Shape[], reps, values.weights!, profile)));
    return;
  }
  const weights = values.weights ? path.resolve(values.weights) : ensureFullModel(console.error);
  const study = STUDIES[values.study!];
  if (!study) throw new Error(`unknown study ${values.study}; choose from ${Object.keys(STUDIES).join(', ')}`);
  const configs = values.configs?.split(',') ?? study.configs;
  const unknown = configs.filter((c) => !(c in CONFIGS));
  if (unknown.length) throw new Error(`unknown config(s) ${unknown.join(', ')}; choose from ${Object.keys(CONFIGS).join(', ')}`);
  const loadBefore = loadAverage();
  const outputs: ChildOutput[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const c of configs) {
      outputs.push(await spawnChild(c, study.shapes, reps, weights, profile));
      console.error(`round ${round + 1}: ${c} done`);
    }
  }
  const model = values.weights ? `the model in ${values.weights}` : 'the generated full-size model';
  const meta = `${model}, ${values.rounds} rounds × ${reps} runs per shape, load average before ${loadBefore}, after ${loadAverage()}; \`npx tsx bench/session-options.ts --study ${values.study}\`.`;
  const text = profile ? profileTable(values.study!, study.shapes, outputs, meta) : table(values.study!, study.shapes, outputs, meta);
  console.log(text);
  if (values.write) replaceSection(`session-${values.study}${profile ? '-profile' : ''}`, text);
}

await main();
