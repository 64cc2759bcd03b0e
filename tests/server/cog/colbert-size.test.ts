// A ColBERT output too large to return is the client's mistake, known before
// any model work: a sync Cog request gets a 422 naming the limit and how to
// stay under it; an accepted (async, /v1) prediction fails with that message
// and no stack trace. Real Predictor on the generated tiny model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_COLBERT_VECTORS } from '../../../src/api/output.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth, WebhookReceiver } from '../../helpers/server/helpers.ts';
import { leak } from '../../helpers/server/raw-http.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

// 20 texts of ~1000 tokens each: about 20,000 ColBERT vectors, over the limit.
const input = { texts: Array.from({ length: 20 }, (_, i) => `text ${i}: ${'many words '.repeat(110)}`), return_colbert: true };
const SAYS = new RegExp(
  `more than the ${MAX_COLBERT_VECTORS} one prediction can hold: send fewer texts per prediction, lower max_length, or set return_colbert: false`,
);

let s: RunningServer;
let hook: WebhookReceiver;

before(async () => {
  s = await startTestServer({ weights: await officialWeights() });
  hook = await WebhookReceiver.start();
  await waitForHealth(s.url, ['READY']);
});

after(async () => {
  await s.close();
  await hook.close();
});

test("sync POST /predictions and PUT: 422 in Cog's detail shape at return_colbert", async () => {
  for (const [method, path] of [
    ['POST', '/predictions'],
    ['PUT', '/predictions/too-big'],
  ]) {
    const r = await call(s.url, method, path, { input });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.equal(r.body.detail.length, 1);
    assert.deepEqual(r.body.detail[0].loc, ['body', 'input', 'return_colbert']);
    assert.match(r.body.detail[0].msg, SAYS);
    assert.equal(leak(r.text), undefined, r.text);
  }
});

test('following the advice works: the same texts at a lower max_length return their ColBERT vectors', async () => {
  const r = await call(s.url, 'POST', '/predictions', { input: { ...input, max_length: 16 } });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.body.status, 'succeeded');
  assert.deepEqual(
    r.body.output.colbert_vecs.map((v: unknown[]) => v.length),
    Array(20).fill(15),
  );
});

test('async Cog: the prediction fails with the message, no stack, in the webhook too', async () => {
  const r = await call(
    s.url,
    'PUT',
    '/predictions/too-big-async',
    { input, webhook: hook.url, webhook_events_filter: ['completed'] },
    { prefer: 'respond-async' },
  );
  assert.equal(r.status, 202);
  const done = await hook.terminal('too-big-async', 60_000);
  assert.equal(done.status, 'failed');
  assert.match(done.error, SAYS);
  assert.equal(leak(JSON.stringify(done)), undefined, JSON.stringify(done).slice(0, 500));
});

test('/v1: failed with the message; get and list show no stack or path', async () => {
  const created = await call(s.url, 'POST', '/v1/predictions', { input }, { prefer: 'wait' });
  assert.equal(created.body.status, 'failed', created.text.slice(0, 300));
  assert.match(created.body.error, SAYS);
  const got = await call(s.url, 'GET', `/v1/predictions/${created.body.id}`);
  const list = await call(s.url, 'GET', '/v1/predictions');
  for (const r of [created, got, list]) assert.equal(leak(r.text), undefined, r.text.slice(0, 500));
  assert.doesNotMatch(got.body.logs, /checkOutputSize|output\.ts/);
});
