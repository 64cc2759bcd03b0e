// Webhooks over real HTTP to a local receiver, against the fake predictor:
// order, filter, throttling, retries of the terminal event, headers, and
// receivers that are dead or slow.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth, WebhookReceiver } from '../../helpers/server/helpers.ts';
import { WebhookTracker } from '../../../src/server/predictions/webhook.ts';

const ASYNC = { prefer: 'respond-async' };

async function ready(t: { after: (fn: () => unknown) => void }, opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer({ predictor: new FakePredictor({ predictMs: 5 }), ...opts });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  return s;
}

/** A server whose webhook throttle reads a clock the test moves by hand, and whose deliveries it can wait for. */
async function withClock(t: { after: (fn: () => unknown) => void }, throttleIntervalMs: number) {
  const clock = { now: 0 };
  const webhooks = new WebhookTracker({ now: () => clock.now });
  const predictor = new FakePredictor();
  const s = await ready(t, { predictor, webhooks, config: { throttleIntervalMs } });
  return { s, clock, webhooks, predictor };
}

test('events of an async prediction arrive in order: start, logs throttled to one event per interval, completed last and never throttled', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const { s, clock, webhooks, predictor } = await withClock(t, 200);
  const r = await call(s.url, 'PUT', '/predictions/w1', { input: { texts: ['hold:w1'] }, webhook: hook.url }, ASYNC);
  assert.equal(r.status, 202);
  await eventually('the prediction to run', () => predictor.holding('w1') || undefined);
  await webhooks.idle();
  const sent = () => hook.accepted('w1').map((b) => [b.status, b.logs]);
  assert.deepEqual(sent(), [['processing', '']], 'the start event');

  // Each log line at a chosen time; idle() waits until whatever it caused has been delivered.
  const logAt = async (ms: number, line: string) => {
    clock.now = ms;
    predictor.log('w1', line);
    await webhooks.idle();
  };
  await logAt(0, 'a');
  await logAt(199, 'b');
  assert.deepEqual(sent(), [['processing', '']], 'logs within the interval after start are held back');
  await logAt(200, 'c');
  assert.deepEqual(
    sent(),
    [
      ['processing', ''],
      ['processing', 'a\nb\nc\n'],
    ],
    'a log once the interval is over sends every log so far',
  );
  await logAt(250, 'd');
  await logAt(399, 'e');
  assert.equal(sent().length, 2, 'held back again: the interval restarts at the last event sent');
  clock.now = 399;
  predictor.release('w1');
  const last = await hook.terminal('w1');
  await webhooks.idle();
  const bodies = hook.accepted('w1');
  assert.equal(bodies.at(-1), last);
  assert.deepEqual(
    sent(),
    [
      ['processing', ''],
      ['processing', 'a\nb\nc\n'],
      ['succeeded', 'a\nb\nc\nd\ne\n'],
    ],
    'the terminal event goes out within the interval and carries every log',
  );
  assert.deepEqual(Object.keys(last), ['input', 'output', 'id', 'version', 'created_at', 'started_at', 'completed_at', 'logs', 'error', 'status', 'metrics']);
  assert.deepEqual(last.output, { texts: ['hold:w1'], n: 1 });
});

test('webhook_events_filter is honoured', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const s = await ready(t, { config: { throttleIntervalMs: 0 } });
  const input = { texts: ['log:3'] };
  await call(s.url, 'PUT', '/predictions/only-done', { input, webhook: hook.url, webhook_events_filter: ['completed'] }, ASYNC);
  await call(s.url, 'PUT', '/predictions/start-done', { input, webhook: hook.url, webhook_events_filter: ['start', 'completed'] }, { prefer: 'respond-async' });
  await call(s.url, 'PUT', '/predictions/logs-only', { input, webhook: hook.url, webhook_events_filter: ['logs'] }, ASYNC);
  await hook.terminal('only-done');
  await hook.terminal('start-done');
  await eventually('a logs event of logs-only', () => (hook.accepted('logs-only').length ? true : undefined));
  // Shutdown waits for every prediction and every terminal webhook sent: after it, none can come.
  await s.close();
  assert.deepEqual(
    hook.accepted('only-done').map((b) => b.status),
    ['succeeded'],
  );
  // With throttling below 0.1 s Cog skips `start` (its latency optimisation), so only completed remains.
  assert.deepEqual(
    hook.accepted('start-done').map((b) => b.status),
    ['succeeded'],
  );
  const logsOnly = hook.accepted('logs-only');
  assert.ok(logsOnly.length >= 1);
  assert.ok(logsOnly.every((b) => b.status === 'processing' && b.logs !== ''));
});

test('with a long throttle interval only start and completed go out', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const { s } = await withClock(t, 60_000); // and the clock never moves
  await call(s.url, 'PUT', '/predictions/quiet', { input: { texts: ['log:5'] }, webhook: hook.url }, ASYNC);
  await hook.terminal('quiet');
  assert.deepEqual(
    hook.accepted('quiet').map((b) => [b.status, b.logs.split('\n').length - 1]),
    [
      ['processing', 0],
      ['succeeded', 5],
    ],
  );
});

test('the terminal event is retried: a receiver failing twice with 500 still gets it', async (t) => {
  const hook = await WebhookReceiver.start((n) => (n < 2 ? 500 : 200));
  t.after(() => hook.close());
  const s = await ready(t);
  await call(s.url, 'PUT', '/predictions/r1', { input: { texts: ['a'] }, webhook: hook.url, webhook_events_filter: ['completed'] }, ASYNC);
  const done = await hook.terminal('r1');
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(
    hook.received.map((r) => [r.body.status, r.answered]),
    [
      ['succeeded', 500],
      ['succeeded', 500],
      ['succeeded', 200],
    ],
  );
});

test('retries stop after the configured number', async (t) => {
  const hook = await WebhookReceiver.start(() => 503);
  t.after(() => hook.close());
  const lines: string[] = [];
  const s = await ready(t, { config: { webhookMaxRetries: 2, logLevel: 'warning' }, log: (l) => lines.push(l) });
  await call(s.url, 'PUT', '/predictions/r2', { input: { texts: ['a'] }, webhook: hook.url, webhook_events_filter: ['completed'] }, ASYNC);
  // The sender's last word: after it, no attempt can come.
  await eventually('the give-up log line', () => lines.find((l) => /webhook "completed" .* not delivered after 3 attempt\(s\): HTTP 503/.test(l)));
  assert.equal(hook.received.length, 3);
});

test('a 4xx answer is final (not retried), as in Cog', async (t) => {
  const hook = await WebhookReceiver.start(() => 410);
  t.after(() => hook.close());
  const lines: string[] = [];
  const s = await ready(t, { config: { logLevel: 'warning' }, log: (l) => lines.push(l) });
  await call(s.url, 'PUT', '/predictions/r3', { input: { texts: ['a'] }, webhook: hook.url, webhook_events_filter: ['completed'] }, ASYNC);
  await eventually('the give-up log line', () => lines.find((l) => /webhook "completed" .* not delivered after 1 attempt\(s\): HTTP 410/.test(l)));
  assert.equal(hook.received.length, 1);
});

test('WEBHOOK_AUTH_TOKEN becomes a Bearer header; traceparent is forwarded', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const s = await ready(t, { config: { webhookAuthToken: 's3cret' } });
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  await call(s.url, 'PUT', '/predictions/h1', { input: { texts: ['a'] }, webhook: hook.url }, { ...ASYNC, traceparent });
  await hook.terminal('h1');
  for (const r of hook.received) {
    assert.equal(r.headers.authorization, 'Bearer s3cret');
    assert.equal(r.headers.traceparent, traceparent);
    assert.equal(r.headers['content-type'], 'application/json');
  }
});

test('a dead or hanging receiver never holds up predictions', { timeout: 120_000 }, async (t) => {
  // Dead: a port that refuses connections.
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}/hook`;
  await new Promise((r) => dead.close(r));
  // Hanging: accepts connections and never answers.
  const sockets = new Set<Socket>();
  const hanging = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => hanging.close(r));
  });
  const hangUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/hook`;

  // A delivery may take 10 minutes: a prediction that waited for one would run into the test's timeout.
  const s = await ready(t, { config: { shutdownWebhookWaitMs: 100, webhookMaxRetries: 1, webhookTimeoutMs: 600_000 } });
  for (const url of [deadUrl, hangUrl]) {
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'] }, webhook: url });
    assert.equal(r.body.status, 'succeeded');
    const again = await call(s.url, 'POST', '/predictions', { input: { texts: ['b'] }, webhook: url }, ASYNC);
    assert.equal(again.status, 202);
  }
  await waitForHealth(s.url, ['READY']);
});

test('bad webhook fields are 422s that name the field', async (t) => {
  const s = await ready(t);
  const notUrl = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'] }, webhook: 'ftp://example.com/x' });
  assert.equal(notUrl.status, 422);
  assert.deepEqual(
    notUrl.body.detail.map((d: { loc: unknown[] }) => d.loc),
    [['body', 'webhook']],
  );
  const badEvent = await call(s.url, 'POST', '/predictions', {
    input: { texts: ['a'] },
    webhook: 'http://127.0.0.1:1/x',
    webhook_events_filter: ['completed', 'done'],
  });
  assert.equal(badEvent.status, 422);
  assert.deepEqual(
    badEvent.body.detail.map((d: { loc: unknown[] }) => d.loc),
    [['body', 'webhook_events_filter', 1]],
  );
});

test('/v1 predictions send Replicate-shaped webhooks', async (t) => {
  const hook = await WebhookReceiver.start();
  t.after(() => hook.close());
  const s = await ready(t);
  const r = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['a'] }, webhook: hook.url, webhook_events_filter: ['completed'] });
  const done = await hook.terminal(r.body.id);
  assert.equal(done.status, 'succeeded');
  assert.equal(done.urls.get, `${s.url}/v1/predictions/${r.body.id}`);
  assert.match(done.completed_at, /Z$/);
  // As in Cog's payloads: echoing them would make the payload a create request asking for the same webhook.
  assert.ok(!('webhook' in done) && !('webhook_events_filter' in done), 'no webhook fields in the payload');
  const got = await call(s.url, 'GET', `/v1/predictions/${r.body.id}`);
  assert.deepEqual([got.body.webhook, got.body.webhook_events_filter], [hook.url, ['completed']], 'GET still shows them');
});
