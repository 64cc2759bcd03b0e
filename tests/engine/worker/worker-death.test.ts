// The onnxruntime worker thread dies (here: process.exit inside it, through
// the BGE_M3_TEST_HOOKS hook, while a batch is in flight). The server must
// notice: the batch's prediction fails with a clear message, the log says so,
// health follows (restart → READY again; no restart left → DEFUNCT, /health
// 503, readiness file removed, creates refused), on the real Predictor.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Predictor } from '../../../predict.ts';
import { killModelWorkerOnNextRun } from '../../../src/engine/worker/test-hook.ts';
import { readServerConfig } from '../../../src/server/config.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { parseExposition, value } from '../../helpers/prom-text.ts';

process.env.BGE_M3_TEST_HOOKS = '1';

interface Started {
  server: RunningServer;
  lines: string[];
  readyFile: string;
}

async function start(restarts: number): Promise<Started> {
  process.env.BGE_M3_WORKER_RESTARTS = String(restarts);
  const lines: string[] = [];
  const readyFile = join(mkdtempSync(join(tmpdir(), 'bge-ready-')), 'cog', 'ready');
  const server = await startTestServer({
    predictor: new Predictor(),
    weights: await officialWeights(),
    log: (l) => lines.push(l),
    config: { logLevel: 'info', readyFile },
  });
  await waitForHealth(server.url, ['READY']);
  return { server, lines, readyFile };
}

describe('a model worker that dies is restarted', () => {
  let s: Started;
  before(async () => {
    s = await start(2);
  });
  after(() => s.server.close());

  it('is ready before: /health 200 and the readiness file exists', async () => {
    const h = await call(s.server.url, 'GET', '/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'READY');
    assert.ok(existsSync(s.readyFile));
  });

  it('fails the prediction in flight with the reason, logs it, and comes back READY', async () => {
    await killModelWorkerOnNextRun(3);
    const r = await call(s.server.url, 'POST', '/predictions', { input: { texts: ['the batch in flight'] } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'failed');
    assert.match(r.body.error, /model worker exited \(code 3\)/);

    const health = await waitForHealth(s.server.url, ['READY']);
    assert.deepEqual(health.worker, { state: 'alive', restarts: 1, max_restarts: 2, message: 'The model worker exited (code 3).' });
    const log = s.lines.join('\n');
    assert.match(log, /ERROR model worker died: The model worker exited \(code 3\); starting a new one \(restart 1 of 2\)/);
    assert.match(log, /model worker restarted \(restart 1 of 2\)/);

    const again = await call(s.server.url, 'POST', '/predictions', { input: { texts: ['after the restart'] } });
    assert.equal(again.body.status, 'succeeded', again.text);
    assert.equal((await call(s.server.url, 'GET', '/health')).status, 200);
    assert.ok(existsSync(s.readyFile));
    const metrics = parseExposition((await call(s.server.url, 'GET', '/metrics')).text);
    assert.equal(value(metrics, 'bge_m3_model_worker_restarts_total'), 1);
    assert.equal(value(metrics, 'bge_m3_batch_failures_total'), 1);
    assert.equal(value(metrics, 'bge_m3_ready'), 1);
  });
});

describe('a model worker that dies with no restart left makes the model DEFUNCT', () => {
  let s: Started;
  before(async () => {
    s = await start(0);
  });
  after(() => s.server.close());

  it('reports DEFUNCT everywhere and refuses new predictions', async () => {
    await killModelWorkerOnNextRun(7);
    const r = await call(s.server.url, 'POST', '/predictions', { input: { texts: ['the batch in flight'] } });
    assert.equal(r.body.status, 'failed');
    assert.match(r.body.error, /model worker exited \(code 7\)/);

    const health = await waitForHealth(s.server.url, ['DEFUNCT']);
    assert.equal(health.worker.state, 'defunct');
    const h = await call(s.server.url, 'GET', '/health');
    assert.equal(h.status, 503);
    assert.equal(h.body.status, 'DEFUNCT');
    assert.match(h.body.detail, /no restart is left/);
    assert.equal(existsSync(s.readyFile), false, 'the readiness file is removed');
    await eventually('the DEFUNCT log line', () => s.lines.find((l) => /ERROR model DEFUNCT/.test(l)));

    assert.equal(value(parseExposition((await call(s.server.url, 'GET', '/metrics')).text), 'bge_m3_ready'), 0);
    const refused = await call(s.server.url, 'POST', '/predictions', { input: { texts: ['x'] } });
    assert.equal(refused.status, 503);
    assert.match(refused.body.detail, /defunct/);
  });
});

describe('readiness file and /health around setup and shutdown', () => {
  it('defaults to Cog\'s path on Kubernetes only; BGE_M3_READY_FILE overrides; "" turns it off', () => {
    assert.equal(readServerConfig({}).readyFile, null);
    assert.equal(readServerConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }).readyFile, '/var/run/cog/ready');
    assert.equal(readServerConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', BGE_M3_READY_FILE: '' }).readyFile, null);
    assert.equal(readServerConfig({ BGE_M3_READY_FILE: '/tmp/x/ready' }).readyFile, '/tmp/x/ready');
  });

  it('is 503 while setup runs and once shutdown starts; the file follows', async () => {
    const { FakePredictor } = await import('../../helpers/server/fake-predictor.ts');
    const fake = new FakePredictor({ setupMs: Infinity });
    const readyFile = join(mkdtempSync(join(tmpdir(), 'bge-ready-')), 'ready');
    const server = await startTestServer({ predictor: fake, config: { readyFile } });
    const starting = await call(server.url, 'GET', '/health');
    assert.equal(starting.status, 503);
    assert.equal(starting.body.status, 'STARTING');
    assert.equal(existsSync(readyFile), false);
    fake.finishSetup();
    await waitForHealth(server.url, ['READY']);
    assert.equal((await call(server.url, 'GET', '/health')).status, 200);
    assert.ok(existsSync(readyFile));
    const hold = call(server.url, 'POST', '/predictions', { input: { texts: ['hold:busy'] } });
    await waitForHealth(server.url, ['READY', 'BUSY']);
    await eventually('the prediction running', () => (fake.started > 0 ? true : undefined));
    const closing = server.close();
    const h = await call(server.url, 'GET', '/health');
    assert.equal(h.status, 503);
    assert.equal(h.body.status, 'SHUTTING_DOWN');
    assert.equal(existsSync(readyFile), false);
    await closing;
    await hold.catch(() => {});
  });

  it('is 503 with the reason when setup failed', async () => {
    const { FakePredictor } = await import('../../helpers/server/fake-predictor.ts');
    const server = await startTestServer({ predictor: new FakePredictor({ setupError: 'no weights here' }) });
    await waitForHealth(server.url, ['SETUP_FAILED']);
    const h = await call(server.url, 'GET', '/health');
    assert.equal(h.status, 503);
    assert.deepEqual(h.body, { status: 'SETUP_FAILED', detail: 'Setup failed: no weights here' });
    await server.close();
  });
});
