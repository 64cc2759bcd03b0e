// Main-memory bandwidth, and the floor it puts under a lone query, which must
// stream every encoder weight from memory once per forward pass:
//   npx tsx bench/memory-bandwidth.ts [--mib N] [--rounds N] [--threads N]
// Each thread copies its own buffer, far larger than the caches, with memcpy
// (TypedArray.set), all threads at once (onnxruntime reads weights on every
// core); bandwidth counts the bytes read plus the bytes written.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { BGE_M3_FULL } from '../tools/fixtures/test-model/config.ts';
import { loadAverage } from './machine.ts';

/** Weights of the encoder's matrices (Q, K, V, O, FFN in and out) of the full-size model. */
export function encoderWeightCount(): number {
  const { hidden: h, intermediate: i, layers } = BGE_M3_FULL;
  return layers * (4 * h * h + 2 * h * i);
}

// A worker: allocate, signal ready, wait for the start, copy `rounds` times, post each time.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, rounds, gate } = workerData;
const src = new Float64Array(bytes / 8).fill(1.5);
const dst = new Float64Array(bytes / 8);
dst.set(src);
const flag = new Int32Array(gate);
parentPort.postMessage('ready');
const times = [];
for (let r = 0; r < rounds; r++) {
  Atomics.wait(flag, 0, r);
  const t0 = performance.now();
  dst.set(src);
  times.push(performance.now() - t0);
  Atomics.add(flag, 1, 1);
  Atomics.notify(flag, 1);
}
parentPort.postMessage(times);
`;

async function copyRounds(threads: number, bytes: number, rounds: number): Promise<number[]> {
  const gate = new SharedArrayBuffer(8);
  const flag = new Int32Array(gate);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: { bytes, rounds, gate } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const results = workers.map((w) => new Promise<number[]>((resolve) => w.once('message', resolve)));
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    Atomics.store(flag, 0, r + 1);
    Atomics.notify(flag, 0);
    while (Atomics.load(flag, 1) < (r + 1) * threads) await new Promise((resolve) => setTimeout(resolve, 1));
    wall.push(performance.now() - t0);
  }
  const perThread = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  // A round lasts as long as its slowest thread.
  return wall.map((_, r) => Math.max(...perThread.map((t) => t[r])));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, rounds: { type: 'string', default: '7' }, threads: { type: 'string' } } });
  const bytes = Number(values.mib) * 2 ** 20;
  const rounds = Number(values.rounds);
  const maxThreads = Number(values.threads ?? os.availableParallelism());
  console.log(`load average before: ${loadAverage()}`);
  let best = 0;
  for (let threads = 1; threads <= maxThreads; threads++) {
    const ms = Math.min(...(await copyRounds(threads, bytes, rounds)));
    const gbs = (2 * bytes * threads) / ms / 1e6;
    best = Math.max(best, gbs);
    console.log(`copy, ${threads} thread(s) × ${values.mib} MiB: best ${ms.toFixed(1)} ms = ${gbs.toFixed(1)} GB/s (read + write)`);
  }
  const weights = encoderWeightCount();
  for (const [name, perWeight] of [
    ['fp32', 4],
    ['int8', 1],
  ] as const) {
    const gb = (weights * perWeight) / 1e9;
    console.log(`${name}: encoder weights ${gb.toFixed(2)} GB → floor for a lone query ${((gb / best) * 1000).toFixed(1)} ms at ${best.toFixed(1)} GB/s`);
  }
  console.log(`load average after: ${loadAverage()}`);
}

await main();
