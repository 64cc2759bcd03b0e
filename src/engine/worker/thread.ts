// The worker side: holds the onnxruntime sessions and runs batches.
// onnxruntime-node's run() is synchronous on the calling thread (its promise
// wraps a blocking call in setImmediate), so it must not run on the main thread,
// where it would freeze the HTTP server for the length of a forward pass.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { BgeM3Onnx } from '../onnx/onnx-model.ts';
import { armTestHooks } from './test-hook.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

try {
  const model = await BgeM3Onnx.load(init.files, init.settings);
  const testHooks = armTestHooks();
  const running = new Set<Promise<unknown>>();
  port.on('message', async (msg: ToWorker) => {
    if (msg.kind === 'run') {
      const code = testHooks.exitCode();
      if (code !== undefined) process.exit(code);
      testHooks.holdIfAsked();
    }
    if (msg.kind === 'release') {
      // A run spans several turns of this thread's event loop (one per session.run): let it end before its sessions go.
      await Promise.allSettled(running);
      await model.release();
      send({ kind: 'released' });
      return;
    }
    const run = model.run(msg.batch, msg.need, msg.pools);
    running.add(run);
    try {
      const out = await run;
      const buffers = out
        .flatMap((e) => [e.dense, e.tokenWeights, e.colbert, e.pooled])
        .filter((a) => a !== undefined)
        .map((a) => a.buffer as ArrayBuffer);
      send({ kind: 'result', id: msg.id, out }, buffers);
    } catch (err) {
      send({ kind: 'error', id: msg.id, message: (err as Error).message });
    } finally {
      running.delete(run);
    }
  });
  send({
    kind: 'ready',
    summary: { layout: model.layout, fixedBatch: model.fixedBatch, attention: model.attention, precision: model.precision, int8Weights: model.int8Weights },
  });
} catch (err) {
  send({ kind: 'setup-failed', message: (err as Error).message });
}
