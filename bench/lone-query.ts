// Where a lone query's time goes (issue: int8 for the CPU, part 4): the bare
// backbone session with the Predictor's session options against the Predictor
// end to end (tokenizer, scheduler, worker thread, heads, output), on the same
// token ids, measured three ways (--method):
//   alternate  one process, calls alternating: bare, the engine's model on
//              this thread (backbone + heads), Predictor; the scheduler's
//              batch time (the worker round trip) splits the remainder.
//   median     separate processes alternating bare / Predictor, each timing
//              --reps calls (default 60): median of each process, then the
//              median over --rounds processes of a kind.
//   best       separate processes alternating, each timing 20 calls: the
//              fastest call over all processes of a kind.
//   npx tsx bench/lone-query.ts [--method alternate|median|best|all] [--precision fp32|int8]
//     [--rounds N] [--reps N] [--weights DIR]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Predictor } from '../predict.ts';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { BgeM3Onnx, sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision, type Precision } from '../src/engine/onnx/precision.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { alternateCalls, quantile, type CallTimes } from './stats.ts';

const QUERY = 'what is the capital of France?';
const NEED = { dense: true, sparse: true, colbert: false };
const BARE = 'bare backbone session';
const ENGINE = 'engine model (backbone + heads), this thread';
const PREDICTOR = 'Predictor.predict (dense + sparse)';
type Run = () => Promise<unknown>;

interface Systems {
  ids: number[];
  runs: Record<string, Run>;
  /** Each Predictor call's batch time (scheduler to worker and back), ms. */
  batchMs: number[];
  close(): Promise<void>;
}

/** Opens the named systems on the same model and the same token ids. */
async function open(dir: string, precision: Precision, names: string[]): Promise<Systems> {
  const files = await findModelFiles(dir);
  const ids = (await BgeTokenizer.fromFile(files.tokenizer)).encode(QUERY, 8192).ids;
  const settings = { precision } as const;
  const runs: Record<string, Run> = {};
  const closers: (() => Promise<void>)[] = [];
  const batchMs: number[] = [];
  if (names.includes(BARE)) {
    const { modelPath } = await loadPrecision(files.model, settings);
    const { session } = await openBackbone(modelPath, sessionOptions(settings));
    const hidden = session.outputNames.includes('token_embeddings') ? 'token_embeddings' : session.outputNames[0];
    const dims = [1, ids.length];
    runs[BARE] = () =>
      session.run(
        {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
        },
        [hidden],
      );
    closers.push(() => session.release());
  }
  if (names.includes(ENGINE)) {
    const engine = await BgeM3Onnx.load(files, settings);
    runs[ENGINE] = () => engine.run([ids], NEED);
    closers.push(() => engine.release());
  }
  if (names.includes(PREDICTOR)) {
    const predictor = new Predictor();
    predictor.observe({ batch: (s) => batchMs.push(s.seconds * 1000) });
    await predictor.setup({ weights: dir, precision, log: () => {} });
    runs[PREDICTOR] = () => predictor.predict({ texts: [QUERY], return_dense: true, return_sparse: true });
    closers.push(() => predictor.close());
  }
  return { ids, runs, batchMs, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}

const fmt = (ms: number) => ms.toFixed(1);

async function oneProcess(dir: string, precision: Precision, reps: number): Promise<string> {
  const systems = await open(dir, precision, [BARE, ENGINE, PREDICTOR]);
  // CPU time of the whole process (every thread: main, worker, onnxruntime's), which a shared machine disturbs less than the wall clock.
  const times = await alternateCalls(systems.runs, reps, 5);
  await systems.close();
  const bare = quantile(times[BARE].wall, 0.5);
  const bareCpu = quantile(times[BARE].cpu, 0.5);
  const lines = [
    `One process, ${reps} calls each after 5 warm-up rounds, alternating call by call; ${systems.ids.length} token ids, ${precision}.`,
    '',
    '| system | p50 ms | min ms | p50 / bare | CPU ms p50 | CPU / bare |',
    '|---|---:|---:|---:|---:|---:|',
    ...Object.entries(times).map(([name, { wall: t, cpu }]) => {
      const c = quantile(cpu, 0.5);
      return `| ${name} | ${fmt(quantile(t, 0.5))} | ${fmt(Math.min(...t))} | ${(quantile(t, 0.5) / bare).toFixed(3)} | ${fmt(c)} | ${(c / bareCpu).toFixed(3)} |`;
    }),
  ];
  const worker = quantile(systems.batchMs.slice(-reps), 0.5);
  lines.push(`| (of which the Predictor's batch: scheduler to worker and back) | ${fmt(worker)} | | ${(worker / bare).toFixed(3)} | | |`);
  return lines.join('\n');
}

/** Child: one system alone, `reps` calls after 5 warm-up calls; prints the times as JSON. */
async function child(dir: string, precision: Precision, name: string, reps: number): Promise<void> {
  const systems = await open(dir, precision, [name]);
  const { [name]: times } = await alternateCalls(systems.runs, reps, 5);
  await systems.close();
  console.log(JSON.stringify(times));
}

function spawnChild(dir: string, precision: Precision, name: string, reps: number): Promise<CallTimes> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, '--weights', dir, '--precision', precision, '--reps', String(reps)];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as CallTimes) : reject(new Error(`${name}: exit code ${code}`))));
  });
}

/** The method's statistic over processes: median of each process's median, or the fastest call of all. */
function statistic(method: 'median' | 'best', runs: number[][]): number {
  if (method === 'best') return Math.min(...runs.flat());
  return quantile(
    runs.map((t) => quantile(t, 0.5)),
    0.5,
  );
}

async function separate(dir: string, precision: Precision, method: 'median' | 'best', rounds: number, reps: number): Promise<string> {
  const per: Record<string, CallTimes[]> = { [BARE]: [], [PREDICTOR]: [] };
  for (let r = 0; r < rounds; r++) for (const name of Object.keys(per)) per[name].push(await spawnChild(dir, precision, name, reps));
  const wall = (name: string) =>
    statistic(
      method,
      per[name].map((t) => t.wall),
    );
  const cpu = (name: string) =>
    statistic(
      method,
      per[name].map((t) => t.cpu),
    );
  const what =
    method === 'median' ? `median over ${rounds} processes of each process's median of ${reps} calls` : `fastest of ${rounds} processes × ${reps} calls`;
  return [
    `Separate processes alternating bare / Predictor, ${rounds} of each; ${what}; ${precision}. CPU: the same statistic of the process's CPU time per call.`,
    '',
    `| system | ${method === 'median' ? 'median of p50s' : 'best'} ms | per process | / bare | CPU ms | CPU / bare |`,
    '|---|---:|---|---:|---:|---:|',
    ...Object.keys(per).map((name) => {
      const each = per[name].map((t) => fmt(statistic(method, [t.wall]))).join(', ');
      return `| ${name} | ${fmt(wall(name))} | ${each} | ${(wall(name) / wall(BARE)).toFixed(3)} | ${fmt(cpu(name))} | ${(cpu(name) / cpu(BARE)).toFixed(3)} |`;
    }),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      weights: { type: 'string' },
      precision: { type: 'string', default: 'fp32' },
      method: { type: 'string', default: 'alternate' },
      rounds: { type: 'string', default: '3' },
      reps: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const precision: Precision = values.precision === 'int8' ? 'int8' : 'fp32';
  const dir = values.weights ?? ensureFullModel(console.error);
  if (values.child) return child(dir, precision, values.child, Number(values.reps));
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; int8: ${machine.int8}; load average before: ${loadAverage()}\n`);
  const methods = values.method === 'all' ? ['alternate', 'median', 'best'] : [values.method!];
  for (const m of methods) {
    const rounds = Number(values.rounds);
    if (m === 'alternate') console.log(await oneProcess(dir, precision, Number(values.reps ?? 60)));
    else if (m === 'median' || m === 'best') console.log(await separate(dir, precision, m, rounds, Number(values.reps ?? (m === 'median' ? 60 : 20))));
    else throw new Error(`--method must be alternate, median, best or all, got ${m}`);
    console.log(`\nload average after: ${loadAverage()}\n`);
  }
}

await main();
