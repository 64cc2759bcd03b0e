// What the worker-thread hop costs by itself (issue: int8 for the CPU, part 4):
// the main thread posts a message, the worker stays busy for --busy ms (a
// forward pass's length), then posts a 1024-float result back, transferred as
// the model worker does. Prints the median latency of each direction, measured
// from each side's clock, for busy times of 0 ms, 1 ms and --busy ms: a thread
// that has slept longer wakes slower, and these wake-ups are the part of a lone
// query's overhead no code change on either side removes.
//   npx tsx bench/thread-hop.ts [--busy 28] [--reps 200]
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { describeMachine, loadAverage } from './machine.ts';
import { quantile } from './stats.ts';

interface Reply {
  received: number;
  sent: number;
  out: Float32Array;
}

const now = () => performance.timeOrigin + performance.now();

/** The worker's side, plain JavaScript (a worker cannot load this TypeScript file itself). */
const WORKER_SIDE = `
const { parentPort } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
parentPort.on('message', (busyMs) => {
  const received = now();
  const end = performance.now() + busyMs;
  while (performance.now() < end);
  const out = new Float32Array(1024);
  parentPort.postMessage({ received, sent: now(), out }, [out.buffer]);
});`;

async function hops(worker: Worker, busyMs: number, reps: number): Promise<{ there: number; back: number }> {
  const there: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < reps + 10; i++) {
    const posted = now();
    const reply = await new Promise<Reply>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(busyMs);
    });
    if (i < 10) continue;
    there.push(reply.received - posted);
    back.push(now() - reply.sent);
  }
  return { there: quantile(there, 0.5), back: quantile(back, 0.5) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { busy: { type: 'string', default: '28' }, reps: { type: 'string', default: '200' } } });
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; ${machine.cores} cores; load average before: ${loadAverage()}\n`);
  console.log('| worker busy | main → worker p50 ms | worker → main p50 ms | round trip ms |');
  console.log('|---:|---:|---:|---:|');
  const worker = new Worker(WORKER_SIDE, { eval: true });
  for (const busy of [0, 1, Number(values.busy)]) {
    const { there, back } = await hops(worker, busy, Number(values.reps));
    console.log(`| ${busy} ms | ${there.toFixed(3)} | ${back.toFixed(3)} | ${(there + back).toFixed(3)} |`);
  }
  await worker.terminate();
  console.log(`\nload average after: ${loadAverage()}`);
}

await main();
