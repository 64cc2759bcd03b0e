import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { ModelWorker } from '../../../src/engine/worker/model-worker.ts';
import { BgeM3Onnx } from '../../../src/engine/onnx/onnx-model.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

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
  const long = [Array.from({ length: 4096 }, (_, i) => (i === 0 ? 0 : i === 4095 ? 2 : 5 + (i % 300)))];
  let done = false;
  const run = worker.run(long, NEED).then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(done, false, 'a timer fired while the batch was still running');
  await run;
  await worker.release();
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
