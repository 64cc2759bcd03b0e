// /v1 behaviour that needs control over timing, against the fake predictor:
// Prefer: wait timing out, the waiting queue and its limit, retention,
// Replicate-shaped errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerConfig } from '../../../src/server/config.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';

async function ready(t: { after: (fn: () => unknown) => void }, config: Partial<ServerConfig> = {}, predictor = new FakePredictor()) {
  const s = await startTestServer({ predictor, config });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  return s;
}

test('Prefer: wait=1 on a longer prediction: 202 with the unfinished prediction and its Location', async (t) => {
  const s = await ready(t);
  const r = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['hold:wait'] } }, { prefer: 'wait=1' });
  assert.equal(r.status, 202);
  assert.equal(r.body.status, 'processing');
  assert.equal(r.headers.get('location'), r.body.urls.get);
  const c = await call(r.body.urls.cancel, 'POST', '');
  assert.equal(c.body.status, 'canceled');
});

test('without a free slot /v1 predictions wait as `starting`; a full queue is a 429; queued ones can be canceled', async (t) => {
  const s = await ready(t, { maxConcurrency: 1, v1QueueMax: 1 });
  const running = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['hold:running'] } });
  assert.equal(running.body.status, 'processing');
  const waiting = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['a'] } });
  assert.equal(waiting.status, 201);
  assert.equal(waiting.body.status, 'starting');
  assert.equal(waiting.body.started_at, null);
  const full = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['b'] } });
  assert.equal(full.status, 429);
  assert.equal(full.headers.get('retry-after'), '1');
  assert.equal(full.body.status, 429);
  assert.match(full.body.detail, /waiting for a slot/);
  assert.equal((await call(s.url, 'POST', '/predictions', { input: { texts: ['c'] } })).status, 409, 'Cog routes do not queue');
  const canceled = await call(waiting.body.urls.cancel, 'POST', '');
  assert.equal(canceled.body.status, 'canceled');
  assert.equal(canceled.body.started_at, null);
  await call(running.body.urls.cancel, 'POST', '');
  const next = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['d'] } }, { prefer: 'wait' });
  assert.equal(next.body.status, 'succeeded');
});

test('a queued prediction starts when a slot frees', async (t) => {
  const predictor = new FakePredictor();
  const s = await ready(t, { maxConcurrency: 1 }, predictor);
  const first = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['hold:first'] } });
  const second = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['second'] } });
  assert.equal(second.body.status, 'starting');
  predictor.release('first');
  const done = await eventually('the queued one to finish', async () => {
    const r = await call(second.body.urls.get, 'GET', '');
    return r.body.status === 'succeeded' ? r.body : undefined;
  });
  assert.deepEqual(done.output, { texts: ['second'], n: 1 });
  assert.equal((await call(first.body.urls.get, 'GET', '')).body.status, 'succeeded');
});

test('finished predictions are kept up to the retention count, oldest dropped first', async (t) => {
  const s = await ready(t, { v1RetentionCount: 2 });
  const ids: string[] = [];
  for (const text of ['one', 'two', 'three'])
    ids.push((await call(s.url, 'POST', '/v1/predictions', { input: { texts: [text] } }, { prefer: 'wait' })).body.id);
  const gone = await call(s.url, 'GET', `/v1/predictions/${ids[0]}`);
  assert.equal(gone.status, 404);
  assert.deepEqual(Object.keys(gone.body), ['title', 'detail', 'status']);
  for (const id of ids.slice(1)) assert.equal((await call(s.url, 'GET', `/v1/predictions/${id}`)).status, 200);
});

test('/v1 errors are Replicate-shaped: 422 with invalid_fields, 400 for malformed JSON', async (t) => {
  const s = await ready(t);
  const bad = await call(s.url, 'POST', '/v1/predictions', { input: { texts: [], extra: 1 } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.title, 'Input validation failed');
  assert.equal(bad.body.status, 422);
  assert.deepEqual(bad.body.invalid_fields.map((f: { field: string }) => f.field).sort(), ['input.extra', 'input.texts']);
  const malformed = await call(s.url, 'POST', '/v1/predictions', '{"input":');
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.detail, /not valid JSON/);
  const notFound = await call(s.url, 'GET', '/v1/nothing-here');
  assert.equal(notFound.status, 404);
  assert.equal(notFound.body.status, 404);
});
