// Prediction lifecycle over real HTTP against a controllable fake predictor:
// setup states, slots and 409, idempotent PUT, cancel, failures, client
// hang-ups. (The same routes on the real model: cog-routes.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';

const ASYNC = { prefer: 'respond-async' };

describe('setup states', () => {
  test('STARTING while setup runs: {} setup object, Cog creates get 409, /v1 creates wait and then run', async (t) => {
    const predictor = new FakePredictor({ setupMs: Infinity });
    const s = await startTestServer({ predictor });
    t.after(() => s.close());
    const h = await call(s.url, 'GET', '/health-check');
    assert.deepEqual(h.body, { status: 'STARTING', setup: {} });
    const refused = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'] } });
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /Setup has not finished/);
    const v1 = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['a'] } });
    assert.equal(v1.status, 201);
    assert.equal(v1.body.status, 'starting');
    predictor.finishSetup();
    const ready = await waitForHealth(s.url, ['READY']);
    assert.equal(ready.setup.status, 'succeeded');
    assert.equal(ready.setup.logs, 'fake setup starting\nfake setup done\n');
    assert.match(ready.setup.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const done = await eventually('queued /v1 prediction to run', async () => {
      const r = await call(s.url, 'GET', `/v1/predictions/${v1.body.id}`);
      return r.body.status === 'succeeded' ? r.body : undefined;
    });
    assert.deepEqual(done.output, { texts: ['a'], n: 1 });
  });

  test('SETUP_FAILED keeps answering, with the error in the setup logs', async (t) => {
    const s = await startTestServer({ predictor: new FakePredictor({ setupError: 'weights missing: run npm run weights' }) });
    t.after(() => s.close());
    const h = await waitForHealth(s.url, ['SETUP_FAILED']);
    assert.equal(h.setup.status, 'failed');
    assert.match(h.setup.logs, /Error while loading predictor:\n\nweights missing: run npm run weights/);
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'] } });
    assert.equal(r.status, 503);
    assert.match(r.body.detail, /weights missing/);
    const v1 = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['a'] } });
    assert.equal(v1.body.status, 'failed');
    assert.match(v1.body.error, /weights missing/);
    assert.equal((await call(s.url, 'GET', '/')).status, 200);
  });
});

test('a banner is shown in the health check', async (t) => {
  const s = await startTestServer({ predictor: new FakePredictor(), banner: 'demo: random weights' });
  t.after(() => s.close());
  const h = await waitForHealth(s.url, ['READY']);
  assert.equal(h.banner, 'demo: random weights');
});

describe('slots', () => {
  test('all slots busy: BUSY health, 409, in-flight PUT still 202; a cancel frees a slot', async (t) => {
    const predictor = new FakePredictor();
    const s = await startTestServer({ predictor, config: { maxConcurrency: 2 } });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    const long = { input: { texts: ['hold:long'] } };
    assert.equal((await call(s.url, 'PUT', '/predictions/a', long, ASYNC)).status, 202);
    assert.equal((await call(s.url, 'PUT', '/predictions/b', long, ASYNC)).status, 202);
    assert.equal((await call(s.url, 'GET', '/health-check')).body.status, 'BUSY');
    const full = await call(s.url, 'POST', '/predictions', { input: { texts: ['x'] } });
    assert.equal(full.status, 409);
    assert.match(full.body.detail, /^Already running a prediction: all 2 slots are busy/);
    assert.equal((await call(s.url, 'PUT', '/predictions/c', long, ASYNC)).status, 409);
    const again = await call(s.url, 'PUT', '/predictions/a', long);
    assert.equal(again.status, 202);
    assert.equal(again.body.status, 'processing');
    assert.equal(predictor.started, 2);
    assert.deepEqual((await call(s.url, 'POST', '/predictions/a/cancel')).body, {});
    await waitForHealth(s.url, ['READY']);
    const ok = await call(s.url, 'POST', '/predictions', { input: { texts: ['x'] } });
    assert.equal(ok.body.status, 'succeeded');
    await call(s.url, 'POST', '/predictions/b/cancel');
  });
});

describe('idempotent PUT (contract section 1.6)', () => {
  test("body id differing from the path id is a 422 with Cog's message", async (t) => {
    const s = await startTestServer({ predictor: new FakePredictor() });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    const r = await call(s.url, 'PUT', '/predictions/abc', { id: 'xyz', input: { texts: ['a'] } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body, { detail: [{ loc: ['body', 'id'], msg: 'prediction ID must match the ID supplied in the URL', type: 'value_error' }] });
  });

  test('same id in flight returns the running one (sync or async); after completion it runs again', async (t) => {
    const predictor = new FakePredictor();
    const s = await startTestServer({ predictor });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    const body = { id: 'same', input: { texts: ['hold:same'] } };
    const first = await call(s.url, 'PUT', '/predictions/same', body, ASYNC);
    const second = await call(s.url, 'PUT', '/predictions/same', body, ASYNC);
    const syncDup = await call(s.url, 'PUT', '/predictions/same', body);
    for (const r of [first, second, syncDup]) {
      assert.equal(r.status, 202);
      assert.equal(r.body.id, 'same');
      assert.equal(r.body.status, 'processing');
    }
    assert.equal(predictor.started, 1);
    predictor.release('same');
    // While the first run is still finishing this PUT gets its 202; once it has ended, the PUT runs anew.
    const rerun = await eventually('a PUT that runs again', async () => {
      const r = await call(s.url, 'PUT', '/predictions/same', { input: { texts: ['quick'] } });
      return r.status === 202 ? undefined : r;
    });
    assert.equal(rerun.status, 200);
    assert.equal(rerun.body.status, 'succeeded');
    assert.equal(rerun.body.id, 'same');
    assert.equal(predictor.started, 2);
  });
});

describe('cancel', () => {
  test('cancels a running sync prediction from another request: 200, status canceled, no error', async (t) => {
    const predictor = new FakePredictor();
    const s = await startTestServer({ predictor });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    const pending = call(s.url, 'PUT', '/predictions/s1', { input: { texts: ['hold:s1'] } });
    await eventually('prediction to start', () => (predictor.started === 1 ? true : undefined));
    assert.deepEqual((await call(s.url, 'POST', '/predictions/s1/cancel')).body, {});
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'canceled');
    assert.equal(r.body.error, null);
    assert.equal(r.body.output, null);
    assert.ok(r.body.completed_at);
    assert.equal(predictor.aborted, 1, 'the predictor saw its AbortSignal fire');
    const unknown = await call(s.url, 'POST', '/predictions/s1/cancel');
    assert.deepEqual([unknown.status, unknown.body], [404, {}]);
  });

  test('a sync client that hangs up cancels its prediction', async (t) => {
    const predictor = new FakePredictor();
    const s = await startTestServer({ predictor });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    const ac = new AbortController();
    const req = fetch(`${s.url}/predictions`, { method: 'POST', body: JSON.stringify({ input: { texts: ['hold:hang-up'] } }), signal: ac.signal }).catch(
      () => 'aborted',
    );
    await eventually('prediction to start', () => (predictor.started === 1 ? true : undefined));
    ac.abort();
    assert.equal(await req, 'aborted');
    await eventually('predictor to be aborted', () => (predictor.aborted === 1 ? true : undefined));
  });
});

test('a failing prediction is HTTP 200, status failed, error = the message, logs end with it (the stack goes to the server log only)', async (t) => {
  const lines: string[] = [];
  const s = await startTestServer({ predictor: new FakePredictor(), log: (l) => lines.push(l) });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['log:2', 'fail:the model broke'] } });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'failed');
  assert.equal(r.body.error, 'the model broke');
  assert.equal(r.body.logs, 'the model broke\n');
  assert.ok(
    lines.some((l) => /ERROR prediction - failed: Error: the model broke\n\s+at /.test(l)),
    'the server log has the stack',
  );
  assert.ok(typeof r.body.metrics.predict_time === 'number');
});

test("logs collect the predictor's lines in order", async (t) => {
  const s = await startTestServer({ predictor: new FakePredictor({ predictMs: 30 }) });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['log:3'] } });
  assert.equal(r.body.logs, 'step 1/3\nstep 2/3\nstep 3/3\n');
});
