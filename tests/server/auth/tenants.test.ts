// With API keys on, each key sees only its own predictions: /v1 list, get and
// cancel, and Cog's cancel by client id. And the official `replicate` client:
// with a right token it works, with a wrong one it gets its 401 error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Replicate from 'replicate';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';

const ALICE = 'alice-key-AAAA1111';
const BOB = 'bob-key-BBBB2222';
const as = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

let s: RunningServer;
let predictor: FakePredictor;

before(async () => {
  predictor = new FakePredictor({ predictMs: 1 });
  s = await startTestServer({ predictor, config: { apiKeys: [ALICE, BOB], v1PageSize: 2 }, auth: { backoff: { freeFailures: 1000 } } });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

async function create(key: string, text: string, wait = true): Promise<string> {
  const r = await call(s.url, 'POST', '/v1/predictions', { input: { texts: [text] } }, as(key, wait ? { prefer: 'wait' } : {}));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function listAll(key: string): Promise<string[]> {
  const ids: string[] = [];
  let url: string | null = `${s.url}/v1/predictions`;
  while (url) {
    const page: any = (await call(url, 'GET', '', undefined, as(key))).body;
    ids.push(...page.results.map((p: { id: string }) => p.id));
    url = page.next;
  }
  return ids;
}

test("/v1: one key cannot list, get or cancel another key's predictions", async () => {
  const alice = [await create(ALICE, 'a1'), await create(ALICE, 'a2'), await create(ALICE, 'a3')];
  const bob = [await create(BOB, 'b1')];
  assert.deepEqual(await listAll(ALICE), [...alice].reverse(), 'alice sees her own, across pages');
  assert.deepEqual(await listAll(BOB), bob);

  const own = await call(s.url, 'GET', `/v1/predictions/${alice[0]}`, undefined, as(ALICE));
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.input.texts, ['a1']);
  for (const [method, path] of [
    ['GET', `/v1/predictions/${alice[0]}`],
    ['POST', `/v1/predictions/${alice[0]}/cancel`],
  ]) {
    const foreign = await call(s.url, method, path, undefined, as(BOB));
    const unknown = await call(s.url, method, path.replace(alice[0], 'nosuchprediction'), undefined, as(BOB));
    assert.equal(foreign.status, 404, `${method} ${path}`);
    assert.equal(foreign.body.title, unknown.body.title, 'as if it did not exist');
    assert.ok(!foreign.text.includes('a1'), 'no input leaks');
  }
});

test('/v1: cancel by another key leaves a running prediction running', async () => {
  const id = await create(ALICE, 'hold:alice-v1', false);
  await eventually('the prediction to start', async () =>
    (await call(s.url, 'GET', `/v1/predictions/${id}`, undefined, as(ALICE))).body.status === 'processing' ? true : undefined,
  );
  assert.equal((await call(s.url, 'POST', `/v1/predictions/${id}/cancel`, undefined, as(BOB))).status, 404);
  assert.equal((await call(s.url, 'GET', `/v1/predictions/${id}`, undefined, as(ALICE))).body.status, 'processing');
  const canceled = await call(s.url, 'POST', `/v1/predictions/${id}/cancel`, undefined, as(ALICE));
  assert.equal(canceled.status, 200);
  await eventually('the cancel', async () =>
    (await call(s.url, 'GET', `/v1/predictions/${id}`, undefined, as(ALICE))).body.status === 'canceled' ? true : undefined,
  );
});

test('Cog: a client id belongs to its key: another key can neither cancel it nor see it through PUT', async () => {
  const started = call(s.url, 'PUT', '/predictions/shared-id', { input: { texts: ['hold:alice-cog'] } }, as(ALICE, { prefer: 'respond-async' }));
  assert.equal((await started).status, 202);
  assert.equal((await call(s.url, 'POST', '/predictions/shared-id/cancel', undefined, as(BOB))).status, 404);
  // Bob's PUT with the same id is his own prediction, not a view of Alice's.
  const bobs = await call(s.url, 'PUT', '/predictions/shared-id', { input: { texts: ['bob text'] } }, as(BOB));
  assert.equal(bobs.status, 200);
  assert.deepEqual(bobs.body.output, { texts: ['bob text'], n: 1 });
  // Alice's is still running: her idempotent PUT returns it, and her cancel works.
  const again = await call(s.url, 'PUT', '/predictions/shared-id', { input: { texts: ['hold:alice-cog'] } }, as(ALICE, { prefer: 'respond-async' }));
  assert.equal(again.status, 202);
  assert.equal(again.body.status, 'processing');
  assert.equal((await call(s.url, 'POST', '/predictions/shared-id/cancel', undefined, as(ALICE))).status, 200);
});

test('the replicate client with the right token works; with a wrong one it gets a 401', async () => {
  const replicate = new Replicate({ auth: ALICE, baseUrl: `${s.url}/v1` });
  const output = await replicate.run('baai/bge-m3', { input: { texts: ['via client'] } });
  assert.deepEqual(output, { texts: ['via client'], n: 1 });
  const p = await replicate.predictions.create({ model: 'baai/bge-m3', input: { texts: ['mine'] }, wait: 30 });
  assert.equal((await replicate.predictions.get(p.id)).status, 'succeeded');

  const wrong = new Replicate({ auth: 'not-a-key', baseUrl: `${s.url}/v1` });
  await assert.rejects(wrong.run('baai/bge-m3', { input: { texts: ['x'] } }), /status 401[\s\S]*Unauthenticated[\s\S]*not valid/);
  await assert.rejects(wrong.predictions.get(p.id), /status 401/);
  const bob = new Replicate({ auth: BOB, baseUrl: `${s.url}/v1` });
  await assert.rejects(bob.predictions.get(p.id), /status 404/, 'another key: as if it did not exist');
});
