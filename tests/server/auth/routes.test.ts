// API keys on, against the fake predictor: every route that does work needs
// a valid bearer key and, without one, answers 401 in its API's shape before
// anything of the request is read or run; open routes stay open; a valid key
// is never slowed by an address's failures; keys never reach the log; and
// the outgoing WEBHOOK_AUTH_TOKEN is a separate thing.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, after, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { shortKeyHash } from '../../../src/server/auth/keys.ts';
import { buildOpenApiSchema } from '../../../src/server/cog/openapi.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth, WebhookReceiver } from '../../helpers/server/helpers.ts';

const KEY = 'team-key-0123456789';
const OTHER = 'other-key-9876543210';
const AUTH = { authorization: `Bearer ${KEY}` };
const WEBHOOK_TOKEN = 'outgoing-webhook-token';

const MISSING = 'This server requires an API key: send it as "Authorization: Bearer <key>".';
const INVALID = 'The API key sent in "Authorization: Bearer" is not valid.';

interface Route {
  method: string;
  path: string;
  body?: unknown;
  api: 'cog' | 'v1';
}

describe('with API keys on', () => {
  let s: RunningServer;
  let predictor: FakePredictor;
  let hook: WebhookReceiver;
  const logs: string[] = [];
  const waits: number[] = [];

  before(async () => {
    predictor = new FakePredictor({ predictMs: 5 });
    hook = await WebhookReceiver.start();
    s = await startTestServer({
      predictor,
      log: (line) => logs.push(line),
      config: { apiKeys: [KEY, OTHER], webhookAuthToken: WEBHOOK_TOKEN, logLevel: 'debug', maxBodyBytes: 1024 },
      // A fake wait: records each backoff instead of sleeping.
      auth: { backoff: { freeFailures: 1000 }, wait: async (ms) => void waits.push(ms) },
    });
    await waitForHealth(s.url, ['READY']);
  });

  after(async () => {
    await s?.close();
    await hook?.close();
  });

  const input = () => ({ input: { texts: ['hello'] }, webhook: hook.url });
  const protectedRoutes = (): Route[] => [
    { method: 'POST', path: '/predictions', body: input(), api: 'cog' },
    { method: 'PUT', path: '/predictions/cog-id-1', body: input(), api: 'cog' },
    { method: 'POST', path: '/predictions/cog-id-1/cancel', api: 'cog' },
    { method: 'POST', path: '/shutdown', api: 'cog' },
    { method: 'POST', path: '/v1/predictions', body: input(), api: 'v1' },
    { method: 'POST', path: '/v1/models/acme/embed/predictions', body: input(), api: 'v1' },
    { method: 'POST', path: '/v1/deployments/acme/embed/predictions', body: input(), api: 'v1' },
    { method: 'GET', path: '/v1/predictions', api: 'v1' },
    { method: 'GET', path: '/v1/predictions/abc', api: 'v1' },
    { method: 'POST', path: '/v1/predictions/abc/cancel', api: 'v1' },
    { method: 'GET', path: '/v1/no-such-route', api: 'v1' },
    { method: 'POST', path: '/PREDICTIONS', body: input(), api: 'cog' },
    { method: 'POST', path: '/predictions/', body: input(), api: 'cog' },
  ];

  function assert401(r: { status: number; headers: Headers; body: any }, route: Route, message: string, challenge: string): void {
    const what = `${route.method} ${route.path}`;
    assert.equal(r.status, 401, what);
    assert.equal(r.headers.get('www-authenticate'), challenge, what);
    const expected = route.api === 'cog' ? { detail: message } : { title: 'Unauthenticated', detail: message, status: 401 };
    assert.deepEqual(r.body, expected, what);
  }

  test('each protected route answers 401 without a key and with a wrong one, and does no work', async () => {
    for (const route of protectedRoutes()) {
      assert401(await call(s.url, route.method, route.path, route.body), route, MISSING, 'Bearer');
      assert401(await call(s.url, route.method, route.path, route.body, { authorization: 'Bearer wrong-key' }), route, INVALID, 'Bearer error="invalid_token"');
      assert401(
        await call(s.url, route.method, route.path, route.body, { authorization: `Basic ${Buffer.from(`x:${KEY}`).toString('base64')}` }),
        route,
        MISSING,
        'Bearer',
      );
      assert401(
        await call(s.url, route.method, route.path, route.body, { authorization: `Bearer ${WEBHOOK_TOKEN}` }),
        route,
        INVALID,
        'Bearer error="invalid_token"',
      );
    }
    assert.equal(predictor.started, 0, 'no prediction ran');
    const listed = await call(s.url, 'GET', '/v1/predictions', undefined, AUTH);
    assert.deepEqual(listed.body.results, [], 'no prediction was stored');
    assert.equal((await call(s.url, 'GET', '/health-check')).body.status, 'READY', 'the server was not shut down');
    // A valid request now, with a webhook: its delivery proves the receiver works, and is the only one.
    const ok = await call(s.url, 'POST', '/predictions', input(), AUTH);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'succeeded');
    await eventually('the webhook of the authorized prediction', () => (hook.received.some((r) => r.body.status === 'succeeded') ? true : undefined));
    assert.ok(
      hook.received.every((r) => r.body.input.texts[0] === 'hello' && r.body.id === null),
      'only the authorized prediction sent webhooks',
    );
    assert.equal(predictor.started, 1);
  });

  test('the key is checked before the body is read: an oversized or broken body gets 401, not 413 or 422', async () => {
    const big = JSON.stringify({ input: { texts: ['x'.repeat(4096)] } });
    const route: Route = { method: 'POST', path: '/predictions', api: 'cog' };
    assert401(await call(s.url, 'POST', '/predictions', big), route, MISSING, 'Bearer');
    assert401(await call(s.url, 'POST', '/predictions', '{"input": [broken'), route, MISSING, 'Bearer');
    assert401(await call(s.url, 'POST', '/v1/predictions', big), { ...route, api: 'v1' }, MISSING, 'Bearer');
    assert.equal((await call(s.url, 'POST', '/predictions', big, AUTH)).status, 413, 'with a key the limit applies as before');
    assert.equal((await call(s.url, 'POST', '/predictions', '{"input": [broken', AUTH)).status, 422);
  });

  test('a 100 MB upload without a key is answered 401 after its first chunk: the body is never read', async () => {
    const declared = 100 * 1024 * 1024;
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${s.url}/v1/predictions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': declared } }, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (c) => (body += c))
          .on('end', () => {
            resolve({ status: res.statusCode!, body });
            req.destroy(); // stop uploading: the answer is in
          });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.write('{"input": {"texts": ["' + 'x'.repeat(64 * 1024));
      // The other 99.9 MB are never sent: a server that read the body first would never answer.
    });
    assert.equal(reply.status, 401);
    assert.equal(JSON.parse(reply.body).title, 'Unauthenticated');
    assert.equal(predictor.started, 1, 'still only the one authorized prediction of the first test');
  });

  test('CORS preflights (OPTIONS) pass without a key and run nothing', async () => {
    const r = await fetch(`${s.url}/v1/predictions`, { method: 'OPTIONS' });
    assert.notEqual(r.status, 401);
    await r.arrayBuffer();
    assert.equal(predictor.started, 1);
  });

  test('open routes need no key', async () => {
    const root = await call(s.url, 'GET', '/');
    assert.equal(root.status, 200);
    assert.equal(root.body.predictions_url, '/predictions');
    assert.equal((await call(s.url, 'GET', '/health-check')).status, 200);
    assert.equal((await call(s.url, 'GET', '/openapi.json')).body.openapi, '3.0.2');
    const page = await fetch(`${s.url}/playground/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>BGE-M3 playground<\/title>/);
    assert.equal((await fetch(`${s.url}/playground/js/api.js`)).status, 200);
  });

  test('/openapi.json declares the bearer scheme on exactly the Cog routes that need a key; the model version ignores it', async () => {
    const doc = (await call(s.url, 'GET', '/openapi.json')).body;
    assert.deepEqual(doc.components.securitySchemes.HTTPBearer, { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS or API_KEYS_FILE.' });
    // The list above also tries other spellings of each path (case, a trailing slash): one template each.
    const template = (path: string) =>
      path
        .toLowerCase()
        .replace(/(.)\/$/, '$1')
        .replace(/^\/predictions\/[^/]+/, '/predictions/{prediction_id}');
    const keyed = [
      ...new Set(
        protectedRoutes()
          .filter((r) => r.api === 'cog')
          .map((r) => `${r.method.toLowerCase()} ${template(r.path)}`),
      ),
    ];
    const declared = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security)
        .map(([method]) => `${method} ${path}`),
    );
    assert.deepEqual(declared.sort(), keyed.sort());
    const created = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['hi'] } }, AUTH);
    assert.equal(created.status, 201);
    const unkeyed = createHash('sha256').update(JSON.stringify(buildOpenApiSchema())).digest('hex');
    assert.equal(created.body.version, unkeyed, 'the same version as a server without keys');
  });

  test('a valid key works on every API and is answered at once, whatever its address failed before', async () => {
    waits.length = 0;
    const before = waits.length;
    for (let i = 0; i < 5; i++) await call(s.url, 'GET', '/v1/predictions', undefined, { authorization: 'Bearer nope' });
    assert.equal(waits.length, before, 'below freeFailures nothing waits');
    const v1 = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['v1'] } }, { ...AUTH, prefer: 'wait' });
    assert.equal(v1.status, 201);
    assert.equal(v1.body.status, 'succeeded');
    const cog = await call(s.url, 'PUT', '/predictions/mine', { input: { texts: ['cog'] } }, AUTH);
    assert.equal(cog.body.status, 'succeeded');
  });

  test("webhooks carry WEBHOOK_AUTH_TOKEN, never the caller's API key", async () => {
    const r = await call(s.url, 'PUT', '/predictions/hooked', { input: { texts: ['hooked'] }, webhook: hook.url }, { ...AUTH, prefer: 'respond-async' });
    assert.equal(r.status, 202);
    await hook.terminal('hooked');
    const sent = hook.received.filter((h) => h.body.id === 'hooked');
    assert.ok(sent.length >= 1);
    for (const h of sent) assert.equal(h.headers.authorization, `Bearer ${WEBHOOK_TOKEN}`);
  });

  test('no key appears in the log; keys are told apart by a short hash', () => {
    const text = logs.join('\n');
    assert.ok(!text.includes(KEY) && !text.includes(OTHER) && !text.includes('wrong-key'), 'a key reached the log');
    assert.match(text, /API keys on: 2 keys \(sha256 prefixes [0-9a-f]{8}, [0-9a-f]{8}\)/);
    assert.match(text, /401 for POST \/predictions from \S+: no bearer token/);
    assert.match(text, /401 for GET \/v1\/predictions from \S+: unknown key/);
    assert.match(text, new RegExp(`prediction api=cog id=hooked status=succeeded .*key=${shortKeyHash(KEY)}`), 'outcomes name the key by its short hash');
  });
});

describe('backoff through the server', () => {
  test('after the free failures each 401 waits longer; a valid key from the same address does not wait', async (t) => {
    const waits: number[] = [];
    const s = await startTestServer({
      predictor: new FakePredictor({ predictMs: 1 }),
      config: { apiKeys: [KEY] },
      auth: { backoff: { freeFailures: 2, baseMs: 50, capMs: 300 }, wait: async (ms) => void waits.push(ms) },
    });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    for (let i = 0; i < 6; i++) assert.equal((await call(s.url, 'GET', '/v1/predictions', undefined, { authorization: 'Bearer bad' })).status, 401);
    assert.deepEqual(waits, [50, 100, 200, 300]);
    const ok = await call(s.url, 'GET', '/v1/predictions', undefined, AUTH);
    assert.equal(ok.status, 200);
    assert.deepEqual(waits, [50, 100, 200, 300], 'the valid key did not wait');
    assert.equal((await call(s.url, 'POST', '/shutdown')).status, 401);
    assert.deepEqual(waits, [50, 100, 200, 300, 300]);
  });
});

describe('with API keys off (the default)', () => {
  test('routes need no key and Authorization is ignored', async (t) => {
    const s = await startTestServer({ predictor: new FakePredictor({ predictMs: 1 }), config: { apiKeys: [], apiKeysFile: null } });
    t.after(() => s.close());
    await waitForHealth(s.url, ['READY']);
    assert.equal((await call(s.url, 'POST', '/predictions', { input: { texts: ['a'] } })).body.status, 'succeeded');
    const created = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['b'] } }, { authorization: 'Bearer whatever', prefer: 'wait' });
    assert.equal(created.status, 201);
    assert.equal((await call(s.url, 'GET', `/v1/predictions/${created.body.id}`)).status, 200, 'visible without a key');
  });
});
