// The Cog HTTP contract over real HTTP, against the real Predictor on the
// generated tiny model: routes, status codes, JSON shapes, 422/413/400s,
// async + cancel, the playground redirect, setup failures, /shutdown.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { holdModelWorkerOnNextRun } from '../../../src/engine/worker/test-hook.ts';
import { buildOpenApiSchema } from '../../../src/server/cog/openapi.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth, WebhookReceiver } from '../../helpers/server/helpers.ts';
import { DenseOracle, officialWeights } from '../../helpers/server/real-model.ts';

const COG_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
const RESPONSE_KEYS = ['input', 'output', 'id', 'version', 'created_at', 'started_at', 'completed_at', 'logs', 'error', 'status', 'metrics'];
const schemaJson = JSON.parse(readFileSync(new URL('../../../schema.json', import.meta.url), 'utf8'));

process.env.BGE_M3_TEST_HOOKS = '1'; // before the model worker starts: the cancel test holds a batch in flight

let s: RunningServer;
let oracle: DenseOracle;
let webDir: string;
let hook: WebhookReceiver;

before(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'bge-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>playground</title>');
  s = await startTestServer({ weights: await officialWeights(), webDir, config: { maxBodyBytes: 1024 * 1024 } });
  oracle = await DenseOracle.create();
  hook = await WebhookReceiver.start();
  await waitForHealth(s.url, ['READY']);
});

after(async () => {
  await s.close();
  await hook.close();
  await oracle.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe('discovery routes', () => {
  test("GET / lists Cog's URLs", async () => {
    const r = await call(s.url, 'GET', '/');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      cog_version: '0.16.12',
      docs_url: '/docs',
      openapi_url: '/openapi.json',
      shutdown_url: '/shutdown',
      healthcheck_url: '/health-check',
      predictions_url: '/predictions',
      predictions_idempotent_url: '/predictions/{prediction_id}',
      predictions_cancel_url: '/predictions/{prediction_id}/cancel',
    });
  });

  test('browsers asking for / are sent to the playground, which is served from web/', async () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const r = await fetch(`${s.url}/`, { headers: { accept: browser }, redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/playground/');
    const page = await fetch(`${s.url}/playground/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>playground<\/title>/);
    const bare = await fetch(`${s.url}/playground`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal((await call(s.url, 'GET', '/', undefined, { accept: '*/*' })).status, 200);
  });

  test('GET /health-check: READY with the setup record', async () => {
    const r = await call(s.url, 'GET', '/health-check');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['status', 'setup']);
    assert.equal(r.body.status, 'READY');
    assert.deepEqual(Object.keys(r.body.setup), ['started_at', 'completed_at', 'logs', 'status']);
    assert.equal(r.body.setup.status, 'succeeded');
    assert.match(r.body.setup.started_at, COG_TIME);
    assert.match(r.body.setup.logs, /Loading BGE-M3 from the weights folder/);
    assert.ok(!r.body.setup.logs.includes(await officialWeights()), 'paths relative to the weights folder, never absolute');
    assert.doesNotMatch(r.body.setup.logs, /(^|\s)\/[\w.-]+\/[\w.-]+/m, 'no absolute path at all');
  });

  test("GET /openapi.json: Cog's layout around schema.json's Input and Output", async () => {
    const r = await call(s.url, 'GET', '/openapi.json');
    assert.deepEqual(buildOpenApiSchema(), r.body);
    const { schemas } = r.body.components;
    // Inputs with choices take Cog's layout for Input(choices=[...]): a reference to an enumeration component.
    const choices = ([name, p]: [string, any]) =>
      p.enum
        ? [name, { allOf: [{ $ref: `#/components/schemas/${name}` }], default: p.default, description: p.description, 'x-order': p['x-order'] }]
        : [name, p];
    assert.deepEqual(schemas.Input.properties, Object.fromEntries(Object.entries(schemaJson.Input.properties).map(choices)));
    assert.deepEqual(schemas.Input.required, ['texts']);
    assert.deepEqual(schemas.Output.properties, schemaJson.Output.properties);
    // What `cog predict` follows to find the output type.
    const ref = r.body.paths['/predictions'].post.responses['200'].content['application/json'].schema.$ref;
    const response = schemas[ref.split('/').pop()];
    assert.equal(response.properties.output.$ref, '#/components/schemas/Output');
    assert.equal(
      r.body.paths['/predictions/{prediction_id}'].put.requestBody.content['application/json'].schema.allOf[0].$ref,
      '#/components/schemas/PredictionRequest',
    );
  });

  test('unknown routes get a JSON 404', async () => {
    const r = await call(s.url, 'GET', '/nope');
    assert.equal(r.status, 404);
    assert.match(r.body.detail, /No route for GET \/nope/);
  });
});

describe('POST /predictions (sync)', () => {
  test('returns the whole prediction, input with defaults, and the embeddings', async () => {
    const texts = ['hello world', 'a second, longer text to embed'];
    const r = await call(s.url, 'POST', '/predictions', { input: { texts }, created_at: '2024-01-02T03:04:05.000000+00:00' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), RESPONSE_KEYS);
    const defaults = Object.fromEntries(
      Object.entries(schemaJson.Input.properties)
        .filter(([, p]: [string, any]) => 'default' in p)
        .map(([k, p]: [string, any]) => [k, p.default]),
    );
    assert.deepEqual(r.body.input, { texts, ...defaults });
    assert.equal(r.body.status, 'succeeded');
    assert.equal(r.body.error, null);
    assert.equal(r.body.id, null);
    assert.equal(r.body.created_at, '2024-01-02T03:04:05.000000+00:00');
    assert.match(r.body.started_at, COG_TIME);
    assert.match(r.body.completed_at, COG_TIME);
    assert.ok(r.body.metrics.predict_time >= 0);
    assert.equal(r.body.output.token_counts.length, 2);
    assert.equal(r.body.output.lexical_weights.length, 2);
    await oracle.assertDense(texts, r.body.output.dense_vecs, 'sync prediction');
  });

  test('string values are coerced the way `cog predict -i` sends them', async () => {
    const r = await call(s.url, 'POST', '/predictions', {
      input: { texts: '["one", "two"]', max_length: '16', return_sparse: 'false', return_colbert: 'true' },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.input.texts, ['one', 'two']);
    assert.equal(r.body.input.max_length, 16);
    assert.equal(r.body.output.lexical_weights, undefined);
    assert.equal(r.body.output.colbert_vecs.length, 2);
    const single = await call(s.url, 'POST', '/predictions', { input: { texts: 'just one' } });
    assert.deepEqual(single.body.input.texts, ['just one']);
  });

  test('a missing body or input is input {}: 422 for the required texts', async () => {
    for (const body of [undefined, {}]) {
      const r = await call(s.url, 'POST', '/predictions', body);
      assert.equal(r.status, 422);
      assert.deepEqual(
        r.body.detail.map((d: any) => [d.loc, d.type]),
        [[['body', 'input', 'texts'], 'value_error.missing']],
      );
    }
  });

  test("invalid input: 422 with Cog's detail list, every problem named by its field", async () => {
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['ok'], max_length: 'many', return_dense: 'sometimes', colour: 'red' } });
    assert.equal(r.status, 422);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    const byField = Object.fromEntries(r.body.detail.map((d: any) => [d.loc.join('.'), d]));
    assert.deepEqual(Object.keys(byField).sort(), ['body.input.colour', 'body.input.max_length', 'body.input.return_dense']);
    assert.match(byField['body.input.colour'].msg, /unknown input "colour"/);
    assert.equal(byField['body.input.max_length'].type, 'type_error');
    for (const d of r.body.detail) assert.deepEqual(Object.keys(d), ['loc', 'msg', 'type']);
    const nested = await call(s.url, 'POST', '/predictions', { input: { texts: ['a', 7] } });
    assert.deepEqual(nested.body.detail[0].loc, ['body', 'input', 'texts', 1]);
  });

  test('a body that is not a JSON object is a 422 on loc ["body"]', async () => {
    const r = await call(s.url, 'POST', '/predictions', '[1, 2]');
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.detail[0].loc, ['body']);
  });

  test('malformed JSON: a 422 with a message, no HTML, no stack trace', async () => {
    const r = await call(s.url, 'POST', '/predictions', '{"input": {"texts": ["a"]');
    assert.equal(r.status, 422);
    assert.match(r.body.detail[0].msg, /not valid JSON/);
    assert.doesNotMatch(r.text, /<html|\n\s+at /i);
  });

  test('curl -d without a JSON content type still parses', async () => {
    const res = await fetch(`${s.url}/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ input: { texts: ['hi'] } }),
    });
    assert.equal((await res.json()).status, 'succeeded');
  });

  test("a body over the limit: 413 in Cog's shape, naming the limit and the setting", async () => {
    const big = JSON.stringify({ input: { texts: ['x'.repeat(1100 * 1024)] } });
    const r = await call(s.url, 'POST', '/predictions', big);
    assert.equal(r.status, 413);
    assert.match(r.body.detail, /limit of 1 MiB \(set by BGE_M3_MAX_BODY_MB\)/);
    const v1 = await call(s.url, 'POST', '/v1/predictions', big);
    assert.equal(v1.status, 413);
    assert.equal(v1.body.status, 413);
    assert.match(v1.body.detail, /1 MiB/);
  });
});

describe('async predictions', () => {
  test('Prefer: respond-async: 202 processing, result by webhook', async () => {
    const texts = ['async one', 'async two', 'async three'];
    const r = await call(s.url, 'PUT', '/predictions/async-1', { input: { texts }, webhook: hook.url }, { prefer: 'respond-async' });
    assert.equal(r.status, 202);
    assert.deepEqual(Object.keys(r.body), RESPONSE_KEYS);
    assert.equal(r.body.id, 'async-1');
    assert.ok(['processing', 'succeeded'].includes(r.body.status));
    const done = await hook.terminal('async-1');
    assert.equal(done.status, 'succeeded');
    await oracle.assertDense(texts, done.output.dense_vecs, 'async webhook');
  });

  test('cancel stops a running async prediction promptly; the server stays usable', async () => {
    const texts = Array.from({ length: 512 }, (_, i) => `long text number ${i} `.repeat(20));
    // Its first batch is held on the worker thread until the end: the prediction is running when the
    // cancel comes, however fast the machine, and the cancel cannot wait for the batch to end.
    const held = await holdModelWorkerOnNextRun();
    try {
      const r = await call(
        s.url,
        'PUT',
        '/predictions/to-cancel',
        { input: { texts }, webhook: hook.url, webhook_events_filter: ['completed'] },
        { prefer: 'respond-async' },
      );
      assert.equal(r.status, 202);
      assert.equal(r.body.status, 'processing');
      await held.holding;
      const c = await call(s.url, 'POST', '/predictions/to-cancel/cancel');
      assert.deepEqual([c.status, c.body], [200, {}]);
      const done = await hook.terminal('to-cancel');
      assert.equal(done.status, 'canceled');
      assert.equal(done.error, null);
      assert.equal(done.output, null);
    } finally {
      held.resume();
    }
    assert.equal((await call(s.url, 'POST', '/predictions/to-cancel/cancel')).status, 404);
    const after = await call(s.url, 'POST', '/predictions', { input: { texts: ['still works'] } });
    assert.equal(after.body.status, 'succeeded');
    await waitForHealth(s.url, ['READY']);
  });
});

describe('setup failures', () => {
  test('an empty weights directory: SETUP_FAILED, logs say what is wrong and how to fix it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bge-empty-'));
    const serverLog: string[] = [];
    const bad = await startTestServer({ weights: empty, log: (line) => serverLog.push(line) });
    try {
      const h = await waitForHealth(bad.url, ['SETUP_FAILED']);
      assert.equal(h.setup.status, 'failed');
      assert.match(h.setup.logs, /Error while loading predictor/);
      assert.match(h.setup.logs, /the weights folder/, 'names the directory, as the user pointed at it');
      assert.ok(!h.setup.logs.includes(empty) && !h.setup.logs.includes(tmpdir()), 'no absolute path reaches clients');
      assert.ok(
        serverLog.some((l) => l.includes(empty)),
        "the server's own log has the whole path",
      );
      assert.match(h.setup.logs, /BGE_M3_WEIGHTS|npm run weights/);
      const r = await call(bad.url, 'POST', '/predictions', { input: { texts: ['a'] } });
      assert.equal(r.status, 503);
      assert.equal((await call(bad.url, 'GET', '/health-check')).body.status, 'SETUP_FAILED');
    } finally {
      await bad.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a corrupt model file: SETUP_FAILED, and the server keeps answering', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'bge-broken-'));
    cpSync(await officialWeights(), broken, { recursive: true });
    mkdirSync(join(broken, 'onnx'), { recursive: true });
    writeFileSync(join(broken, 'onnx', 'model.onnx'), 'this is not an ONNX model');
    const bad = await startTestServer({ weights: broken });
    try {
      const h = await waitForHealth(bad.url, ['SETUP_FAILED']);
      assert.match(h.setup.logs, /Error while loading predictor:\n\n\S/);
      assert.equal((await call(bad.url, 'GET', '/')).status, 200);
    } finally {
      await bad.close();
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

test('POST /shutdown answers {} and shuts the server down', async () => {
  const other = await startTestServer({ weights: await officialWeights() });
  await waitForHealth(other.url, ['READY']);
  const r = await call(other.url, 'POST', '/shutdown');
  assert.deepEqual([r.status, r.body], [200, {}]);
  await other.done;
  await assert.rejects(fetch(`${other.url}/health-check`));
});
