// Speed of the full-size backbone in fp32 and in each int8 variant of the
// study, on a lone query and on 8 passages of 128 tokens:
//   npx tsx bench/int8-variants.ts [--variants a,b] [--rounds N] [--weights DIR]
// Sessions are opened as the predictor opens them (same options, attention
// slicing), all at once, and rounds alternate them, so a busy minute on the
// shared machine hits every variant. Each variant's model is cached under
// .cache/bench/int8-variants/<variant> (the fidelity study shares them).
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { findModelFiles } from '../src/engine/model-files.ts';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { loadPrecision } from '../src/engine/onnx/precision.ts';
import { sessionOptions } from '../src/engine/onnx-model.ts';
import { loadAverage } from './machine.ts';
import { BENCH_CACHE, ensureFullModel } from './model-cache.ts';
import { VARIANTS } from './int8-fidelity-variants.ts';

const SHAPES: [number, number][] = [[1, 10], [8, 128]];

function feeds(rows: number, seq: number): Record<string, ort.Tensor> {
  const n = rows * seq;
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % seq === 0 ? 0 : 5 + ((i * 31) % 3000)));
  return { input_ids: new ort.Tensor('int64', ids, [rows, seq]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [rows, seq]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { variants: { type: 'string' }, rounds: { type: 'string', default: '3' }, weights: { type: 'string' } } });
  const model = (await findModelFiles(values.weights ? path.resolve(values.weights) : ensureFullModel(console.log))).model;
  const names = ['fp32', ...(values.variants?.split(',') ?? Object.keys(VARIANTS))];
  const threads = Number(process.env.BGE_M3_THREADS ?? os.availableParallelism());
  console.log(`load average before: ${loadAverage()}; ${threads} threads`);
  const sessions = new Map<string, ort.InferenceSession>();
  for (const name of names) {
    const settings = name === 'fp32' ? {} : { precision: 'int8' as const, quantize: VARIANTS[name], int8CacheRoot: path.join(BENCH_CACHE, 'int8-variants', name.replaceAll(' ', '-')) };
    const { modelPath } = await loadPrecision(model, settings);
    sessions.set(name, (await openBackbone(modelPath, sessionOptions({ intraOpThreads: threads }))).session);
  }
  const times = new Map<string, number[]>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, s] of sessions) {
      for (const [rows, seq] of SHAPES) {
        const f = feeds(rows, seq);
        if (round === 0) await s.run(f);
        const t0 = performance.now();
        await s.run(f);
        const key = `${name}|${rows}x${seq}`;
        times.set(key, [...(times.get(key) ?? []), performance.now() - t0]);
      }
    }
  }
  const best = (name: string, shape: [number, number]) => Math.min(...times.get(`${name}|${shape[0]}x${shape[1]}`)!);
  console.log(`\n| variant | 1×10: ms (best) | vs fp32 | 8×128: tokens/s (best) | vs fp32 |\n|---|---:|---:|---:|---:|`);
  for (const name of names) {
    const q = best(name, SHAPES[0]);
    const p = best(name, SHAPES[1]);
    console.log(`| ${name} | ${q.toFixed(0)} | ${(best('fp32', SHAPES[0]) / q).toFixed(2)}x | ${((1024 / p) * 1000).toFixed(0)} | ${(best('fp32', SHAPES[1]) / p).toFixed(2)}x |`);
  }
  console.log(`\nload average after: ${loadAverage()}; best of ${values.rounds} rounds`);
}

await main();
