import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { ModelWorker } from '../../../src/engine/worker/model-worker.ts';
import { BgeM3Onnx } from '../../../src/engine/onnx/onnx-model.ts';
import { holdModelWorkerOnNextRun } from '../../../src/engine/worker/test-hook.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

process.env.BGE_M3_TEST_HOOKS = '1';

const NEED = { dense: true, sparse: true, colbert: true };

async function setup() {
  const files = await findModelFiles((await ensureTestModels()).dirs.official);
  return { files, worker: await ModelWorker.start(files) };
}

test('the worker returns exactly what the model returns on the main thread', async () => {
  const { files, worker } = await setup();
  const direct = await BgeM3Onnx.load(files);
  const batch = [
    [0, 100, 200, 300, 2],
    [0, 7, 2],
  ];
  const [a, b] = [await worker.run(batch, NEED), await direct.run(batch, NEED)];
  assert.deepEqual(
    a.map((e) => [e.dense, e.tokenWeights, e.colbert]),
    b.map((e) => [e.dense, e.tokenWeights, e.colbert]),
  );
  assert.deepEqual(worker.layout, direct.layout);
  await Promise.all([worker.release(), direct.release()]);
});

test('the event loop keeps turning while a forward pass runs', async () => {
  const { worker } = await setup();
  // The worker thread holds the batch (blocked, as in a long forward pass) until resumed: no race with its speed.
  const held = await holdModelWorkerOnNextRun();
  let done = false;
  const run = worker.run([[0, 100, 200, 2]], NEED).then(() => {
    done = true;
  });
  await held.holding;
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(done, false, 'a timer fired while the batch was still running');
  held.resume();
  await run;
  await worker.release();
});

test('release() with a batch in flight rejects it at once, and resolves once the thread has finished it', async () => {
  const { worker } = await setup();
  const held = await holdModelWorkerOnNextRun();
  const run = worker.run([[0, 100, 200, 2]], NEED);
  run.catch(() => {}); // asserted below
  await held.holding;
  const releasing = worker.release();
  await assert.rejects(run, /released/);
  assert.equal(worker.release(), releasing, 'a second release() is the same');
  await assert.rejects(worker.run([[0, 5, 2]], NEED), /released/);
  held.resume();
  await releasing;
});

test("a failing run rejects with onnxruntime's message; later runs still work", async () => {
  const { worker } = await setup();
  await assert.rejects(worker.run([[0, 10_000_000, 2]], NEED), /indices|out of|invalid/i);
  assert.equal((await worker.run([[0, 5, 2]], NEED)).length, 1);
  await worker.release();
  await assert.rejects(worker.run([[0, 5, 2]], NEED), /released/);
});

test("a setup failure in the worker rejects start() with the model's message", async () => {
  const { files } = await setup();
  await assert.rejects(ModelWorker.start({ ...files, colbertHead: undefined }), /colbert_linear\.pt/);
});
