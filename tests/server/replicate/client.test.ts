// The official `replicate` npm client against /v1, on the real model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Replicate from 'replicate';
import { holdModelWorkerOnNextRun } from '../../../src/engine/worker/test-hook.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { DenseOracle, officialWeights } from '../../helpers/server/real-model.ts';

let s: RunningServer;
let replicate: Replicate;
let oracle: DenseOracle;
const PAGE = 3;

process.env.BGE_M3_TEST_HOOKS = '1'; // before the model worker starts: the cancel test holds a batch in flight

before(async () => {
  s = await startTestServer({ weights: await officialWeights(), config: { v1PageSize: PAGE } });
  replicate = new Replicate({ auth: 'test', baseUrl: `${s.url}/v1` });
  oracle = await DenseOracle.create();
  await waitForHealth(s.url, ['READY']);
});

after(async () => {
  await s.close();
  await oracle.close();
});

interface Out {
  dense_vecs: number[][];
  token_counts: number[];
}

test('replicate.run("owner/name") returns the embeddings', async () => {
  const texts = ['run me', 'and me too'];
  const output = (await replicate.run('baai/bge-m3', { input: { texts } })) as Out;
  await oracle.assertDense(texts, output.dense_vecs, 'run');
  assert.equal(output.token_counts.length, 2);
});

test('replicate.run("owner/name:version") goes through POST /v1/predictions', async () => {
  const output = (await replicate.run('baai/bge-m3:0123abcd', { input: { texts: ['versioned'] } })) as Out;
  await oracle.assertDense(['versioned'], output.dense_vecs, 'run with version');
});

test('run() of a failing prediction throws with the error', async () => {
  await assert.rejects(replicate.run('baai/bge-m3', { input: { texts: [] } }), /422[\s\S]*texts/);
});

test("predictions.create / get / wait, and the prediction object's shape", async () => {
  const created = await replicate.predictions.create({ model: 'baai/bge-m3', input: { texts: ['created'] } });
  assert.match(created.id, /^[a-z2-7]{26}$/);
  assert.ok(['starting', 'processing', 'succeeded'].includes(created.status));
  assert.equal(created.urls.get, `${s.url}/v1/predictions/${created.id}`);
  assert.equal(created.urls.cancel, `${s.url}/v1/predictions/${created.id}/cancel`);
  assert.equal(created.model, 'baai/bge-m3');
  assert.match(created.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  const done = await replicate.wait(created, { interval: 20 });
  assert.equal(done.status, 'succeeded');
  const got = await replicate.predictions.get(created.id);
  assert.equal(got.status, 'succeeded');
  assert.deepEqual((got.input as { texts: string[] }).texts, ['created']);
  assert.equal(got.error, null);
  assert.ok((got.metrics?.predict_time ?? -1) >= 0);
  await oracle.assertDense(['created'], (got.output as Out).dense_vecs, 'get');
});

test('predictions.create with wait holds the request until the output is ready', async () => {
  const p = await replicate.predictions.create({ version: 'abc', input: { texts: ['waited'] }, wait: 30 });
  assert.equal(p.status, 'succeeded');
  assert.equal(p.version, 'abc');
  await oracle.assertDense(['waited'], (p.output as Out).dense_vecs, 'create with wait');
});

test('deployments.predictions.create works', async () => {
  const p = await replicate.deployments.predictions.create('acme', 'embedder', { input: { texts: ['deployed'] }, wait: true });
  assert.equal(p.status, 'succeeded');
  assert.equal((p as unknown as { deployment: string }).deployment, 'acme/embedder');
});

test('predictions.cancel returns the canceled prediction', async () => {
  const texts = Array.from({ length: 512 }, (_, i) => `text ${i} to cancel `.repeat(20));
  // Its first batch is held on the worker thread: the prediction is still running when the cancel comes.
  const held = await holdModelWorkerOnNextRun();
  try {
    const p = await replicate.predictions.create({ model: 'baai/bge-m3', input: { texts } });
    await held.holding;
    const canceled = await replicate.predictions.cancel(p.id);
    assert.equal(canceled.id, p.id);
    assert.equal(canceled.status, 'canceled');
    assert.equal((await replicate.predictions.get(p.id)).status, 'canceled');
  } finally {
    held.resume();
  }
});

test('invalid input is a 422 the client reports with the field', async () => {
  await assert.rejects(
    replicate.predictions.create({ model: 'baai/bge-m3', input: { texts: ['a'], max_length: 0 } }),
    (err: Error) => /status 422/.test(err.message) && /max_length/.test(err.message),
  );
});

test('predictions.list pages newest first, following absolute next URLs', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2 * PAGE + 1; i++) ids.push((await replicate.predictions.create({ model: 'o/n', input: { texts: [`list ${i}`] } })).id);
  const pages: string[][] = [];
  for await (const page of replicate.paginate(replicate.predictions.list)) pages.push(page.map((p) => p.id));
  const listed = pages.flat();
  assert.ok(pages.every((p) => p.length <= PAGE));
  assert.equal(new Set(listed).size, listed.length, 'no prediction listed twice');
  assert.deepEqual(listed.slice(0, ids.length), [...ids].reverse(), 'newest first');
  const first = await replicate.predictions.list();
  assert.equal(first.previous, null);
  assert.match(first.next!, new RegExp(`^${s.url}/v1/predictions\\?cursor=`));
  const second = await call(first.next!, 'GET', '');
  assert.match(second.body.previous, /cursor=/);
  const back = await call(second.body.previous, 'GET', '');
  assert.deepEqual(
    back.body.results.map((p: { id: string }) => p.id),
    first.results.map((p) => p.id),
  );
  assert.equal((await call(s.url, 'GET', '/v1/predictions?cursor=bogus')).status, 400);
});

test('unknown ids: 404 for get and cancel', async () => {
  await assert.rejects(replicate.predictions.get('nosuchprediction'), /status 404/);
  assert.equal((await call(s.url, 'POST', '/v1/predictions/nosuchprediction/cancel')).status, 404);
});
