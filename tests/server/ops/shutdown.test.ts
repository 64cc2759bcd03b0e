// Graceful shutdown in-process, against the fake predictor: no new work,
// running work finishes within the grace period or is canceled, terminal
// webhooks are delivered before `done` resolves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth, WebhookReceiver } from '../../helpers/server/helpers.ts';

const ASYNC = { prefer: 'respond-async' };

test('close(): refuses new predictions, lets running ones finish, delivers their webhooks first', async (t) => {
  const hook = await WebhookReceiver.start((_n, body) =>
    body.status === 'succeeded' && body.id === 'a' && !hook.received.some((r) => r.body.id === 'a') ? 500 : 200,
  );
  t.after(() => hook.close());
  const predictor = new FakePredictor();
  const s = await startTestServer({ predictor, config: { shutdownGraceMs: 10_000 } });
  await waitForHealth(s.url, ['READY']);
  for (const id of ['a', 'b', 'c']) {
    await call(s.url, 'PUT', `/predictions/${id}`, { input: { texts: ['hold:drain'] }, webhook: hook.url, webhook_events_filter: ['completed'] }, ASYNC);
  }
  const closing = s.close();
  const refused = await call(s.url, 'POST', '/predictions', { input: { texts: ['late'] } });
  assert.equal(refused.status, 503);
  assert.match(refused.body.detail, /shutting down/);
  assert.equal((await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['late'] } })).status, 503);
  assert.equal((await call(s.url, 'GET', '/health-check')).status, 200, 'still answers health checks while draining');
  predictor.release('drain'); // until now they were running, whatever the machine's speed
  await closing;
  for (const id of ['a', 'b', 'c'])
    assert.deepEqual(
      hook.accepted(id).map((b) => b.status),
      ['succeeded'],
      id,
    );
  assert.equal(hook.received.filter((r) => r.body.id === 'a').length, 2, 'the first attempt for a failed and was retried');
  assert.equal(predictor.aborted, 0);
});

test('after the grace period running predictions are canceled, and say so by webhook', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const predictor = new FakePredictor();
  const s = await startTestServer({ predictor, config: { shutdownGraceMs: 50, v1QueueMax: 5, maxConcurrency: 1 } });
  await waitForHealth(s.url, ['READY']);
  await call(s.url, 'PUT', '/predictions/slow', { input: { texts: ['hold:never'] }, webhook: hook.url }, ASYNC);
  const queued = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['hold:never'] }, webhook: hook.url });
  assert.equal(queued.body.status, 'starting');
  const held = call(s.url, 'POST', '/v1/predictions', { input: { texts: ['x'] } }, { prefer: 'wait=60' });
  await eventually('the /v1 wait to be queued', async () => ((await call(s.url, 'GET', '/v1/predictions')).body.results.length === 2 ? true : undefined));
  await s.close();
  assert.equal((await hook.terminal('slow')).status, 'canceled');
  assert.equal((await hook.terminal(queued.body.id)).status, 'canceled');
  const waited = await held;
  assert.equal(waited.status, 201, 'a held /v1 request is answered with the prediction as it ended');
  assert.equal(waited.body.status, 'canceled');
});

test('POST /shutdown resolves done', async () => {
  const s = await startTestServer({ predictor: new FakePredictor() });
  await waitForHealth(s.url, ['READY']);
  assert.deepEqual((await call(s.url, 'POST', '/shutdown')).body, {});
  await s.done;
});
