// The attention rewrite's options for short inputs (chunked-attention.ts:
// ChunkOptions), against each other and against whole attention, on the
// full-size backbone: a lone query and batches, in one process, variants
// alternating call by call (so a busy minute on a shared machine hits them
// all), ratios against the first variant. Besides wall time it records the
// process's CPU time per call (all threads, user + system), which other
// processes on a shared machine disturb much less than the wall clock: it
// counts the work a pass does, not the time it waited for a core.
//   npx tsx bench/fusions.ts [--precision fp32|int8] [--variants a,b] [--shapes 1x16,8x128]
//     [--lone-reps 40] [--batch-reps 4] [--weights DIR]
// Variants: loop (the Loop alone: before this study), loop+hint (the Loop
// with the output shape declared), if+hint (the default: an If runs the
// original nodes when one slice holds all query rows), whole (no rewrite:
// full attention, which an 8192-token text cannot afford).
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import type { ChunkOptions } from '../src/engine/onnx/chunked-attention.ts';
import { sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision, type Precision } from '../src/engine/onnx/precision.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { alternateCalls, quantile } from './stats.ts';

const VARIANTS: Record<string, ChunkOptions | null> = {
  loop: { shortBranch: false, shapeHint: false },
  'loop+hint': { shortBranch: false, shapeHint: true },
  if: { shortBranch: true, shapeHint: false },
  'if+hint': { shortBranch: true, shapeHint: true },
  whole: null,
};

function feeds(rows: number, seq: number): Record<string, ort.Tensor> {
  const ids = BigInt64Array.from({ length: rows * seq }, (_, i) => BigInt(i % seq === 0 ? 0 : 5 + ((i * 7919) % 3990)));
  const dims = [rows, seq];
  return { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims) };
}

/** Median wall and CPU ms per call of each session, calls alternating, after one warm-up round. */
async function alternate(
  sessions: Record<string, ort.InferenceSession>,
  names: string[],
  input: Record<string, ort.Tensor>,
  output: string,
  reps: number,
): Promise<{ wall: number[]; cpu: number[] }> {
  const times = await alternateCalls(Object.fromEntries(names.map((n) => [n, () => sessions[n].run(input, [output])])), reps, 1);
  return { wall: names.map((n) => quantile(times[n].wall, 0.5)), cpu: names.map((n) => quantile(times[n].cpu, 0.5)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      precision: { type: 'string', default: 'int8' },
      variants: { type: 'string', default: 'loop,loop+hint,if+hint,whole' },
      shapes: { type: 'string', default: '1x10,1x16,8x128,32x64' },
      'lone-reps': { type: 'string', default: '40' },
      'batch-reps': { type: 'string', default: '4' },
      weights: { type: 'string' },
    },
  });
  const precision: Precision = values.precision === 'fp32' ? 'fp32' : 'int8';
  const names = values.variants!.split(',');
  const unknown = names.filter((n) => !(n in VARIANTS));
  if (unknown.length) throw new Error(`unknown variant(s) ${unknown.join(', ')}; choose from ${Object.keys(VARIANTS).join(', ')}`);
  const files = await findModelFiles(values.weights ?? ensureFullModel(console.error));
  const { modelPath } = await loadPrecision(files.model, { precision });
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; int8: ${machine.int8}; ${precision}; load average before: ${loadAverage()}\n`);
  const sessions: Record<string, ort.InferenceSession> = {};
  for (const n of names) {
    const chunk = VARIANTS[n];
    sessions[n] = (await (chunk ? openBackbone(modelPath, sessionOptions(), undefined, chunk) : openBackbone(modelPath, sessionOptions(), 0))).session;
  }
  const output = sessions[names[0]].outputNames.includes('token_embeddings') ? 'token_embeddings' : sessions[names[0]].outputNames[0];
  const ratios = names.slice(1).map((n) => `${n} / ${names[0]}: wall (CPU)`);
  console.log(`| shape | ${names.map((n) => `${n}: p50 ms (CPU ms)`).join(' | ')} | ${ratios.join(' | ')} |`);
  console.log(`|---|${[...names, ...ratios].map(() => '---:').join('|')}|`);
  for (const shape of values.shapes!.split(',')) {
    const [rows, seq] = shape.split('x').map(Number);
    const reps = Number(rows * seq > 64 ? values['batch-reps'] : values['lone-reps']);
    const { wall, cpu } = await alternate(sessions, names, feeds(rows, seq), output, reps);
    const cells = names.map((_, i) => `${wall[i].toFixed(1)} (${cpu[i].toFixed(1)})`);
    const ratioCells = names.slice(1).map((_, i) => `${(wall[i + 1] / wall[0]).toFixed(3)} (${(cpu[i + 1] / cpu[0]).toFixed(3)})`);
    console.log(`| ${rows}×${seq} (${reps} rounds) | ${[...cells, ...ratioCells].join(' | ')} |`);
  }
  console.log(`\nload average after: ${loadAverage()}`);
  await Promise.all(Object.values(sessions).map((s) => s.release()));
}

await main();
