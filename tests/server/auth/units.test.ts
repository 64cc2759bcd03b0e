// The pieces of the API-key check on their own: key parsing and matching,
// settings, the bearer header, the per-address backoff on a fake clock, and
// the METRICS_API_KEY guard on a stand-in /metrics route.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { FailureBackoff } from '../../../src/server/auth/backoff.ts';
import { KeySet, keyProblem, parseKeyFile, parseKeyList, shortKeyHash } from '../../../src/server/auth/keys.ts';
import { bearerToken, type ErrorShape } from '../../../src/server/auth/guard.ts';
import { openServerAuth } from '../../../src/server/auth/server-auth.ts';
import { cogErrorShape } from '../../../src/server/cog/protocol.ts';
import { DEFAULT_CONFIG, readServerConfig } from '../../../src/server/config.ts';
import { createLogger } from '../../../src/server/log.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

test("a KeySet matches exactly its keys and names the owner by the key's sha256", () => {
  const keys = new KeySet(['alpha-key', 'beta-key', 'alpha-key']);
  assert.equal(keys.size, 2, 'duplicates count once');
  assert.equal(keys.match('alpha-key'), sha256('alpha-key'));
  assert.equal(keys.match('beta-key'), sha256('beta-key'));
  for (const wrong of ['alpha-ke', 'alpha-key ', 'ALPHA-KEY', '', 'alpha-keyx']) assert.equal(keys.match(wrong), undefined, wrong);
  assert.equal(new KeySet([]).match('anything'), undefined);
  assert.deepEqual(keys.shortHashes(), [sha256('alpha-key').slice(0, 8), sha256('beta-key').slice(0, 8)]);
  assert.equal(shortKeyHash('beta-key'), sha256('beta-key').slice(0, 8));
  assert.ok(keys.sameAs(new KeySet(['beta-key', 'alpha-key'])));
  assert.ok(!keys.sameAs(new KeySet(['beta-key'])));
});

test('API_KEYS is comma-separated; a key file has one key a line, with blanks and # comments', () => {
  assert.deepEqual(parseKeyList(' k1, k2 ,,k3 '), ['k1', 'k2', 'k3']);
  assert.deepEqual(parseKeyFile('# team keys\nk1\r\n\n  k2  \n#k3\n'), ['k1', 'k2']);
  assert.equal(keyProblem('sk-Abc_123.x~y+z/w=='), undefined);
  for (const bad of ['has space', 'quote"', 'comma,', 'a=b', '']) assert.ok(keyProblem(bad), bad);
});

test('settings: API_KEYS, API_KEYS_FILE, METRICS_API_KEY; errors never quote a key', () => {
  assert.deepEqual([DEFAULT_CONFIG.apiKeys, DEFAULT_CONFIG.apiKeysFile, DEFAULT_CONFIG.metricsApiKey], [[], null, null]);
  const c = readServerConfig({ API_KEYS: 'k1,k2', API_KEYS_FILE: '/run/keys', METRICS_API_KEY: 'scrape' });
  assert.deepEqual([c.apiKeys, c.apiKeysFile, c.metricsApiKey], [['k1', 'k2'], '/run/keys', 'scrape']);
  assert.deepEqual(readServerConfig({ API_KEYS: '' }).apiKeys, [], 'empty means unset');
  assert.throws(() => readServerConfig({ API_KEYS: ' , ' }), /API_KEYS is set but holds no key/);
  assert.throws(
    () => readServerConfig({ API_KEYS: 'good,se cret' }),
    (err: Error) => /API_KEYS: key 2 is not valid/.test(err.message) && !err.message.includes('se cret'),
  );
  assert.throws(
    () => readServerConfig({ METRICS_API_KEY: 'a"b' }),
    (err: Error) => /METRICS_API_KEY/.test(err.message) && !err.message.includes('a"b'),
  );
});

test('bearerToken reads "Bearer <token>" (any case of the scheme) and nothing else', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer  abc'), 'abc');
  for (const bad of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Token abc', 'abc']) assert.equal(bearerToken(bad), undefined, String(bad));
});

test('backoff: free failures, then doubling delays up to the cap, forgiven over time', () => {
  let now = 0;
  const b = new FailureBackoff({ freeFailures: 3, baseMs: 100, capMs: 1000, forgiveMs: 60_000, now: () => now });
  const delays = Array.from({ length: 9 }, () => b.fail('10.0.0.1'));
  assert.deepEqual(delays, [0, 0, 0, 100, 200, 400, 800, 1000, 1000]);
  assert.equal(b.fail('10.0.0.2'), 0, 'another address starts fresh');
  now += 60_000 * 4; // four failures forgiven: 9 → 5
  assert.equal(b.failuresAt('10.0.0.1'), 5);
  assert.equal(b.fail('10.0.0.1'), 400, 'the 6th counted failure');
  now += 60_000 * 100;
  assert.equal(b.failuresAt('10.0.0.1'), 0);
  assert.equal(b.fail('10.0.0.1'), 0);
});

test('backoff: the address table is capped, dropping the address that failed longest ago', () => {
  let now = 0;
  const b = new FailureBackoff({ freeFailures: 0, baseMs: 1, capMs: 1000, forgiveMs: 1e9, maxAddresses: 3, now: () => now++ });
  b.fail('a');
  b.fail('b');
  b.fail('c');
  b.fail('a'); // a is now the most recent
  b.fail('d'); // evicts b
  assert.equal(b.size, 3);
  assert.equal(b.failuresAt('b'), 0);
  assert.deepEqual(
    ['a', 'c', 'd'].map((x) => b.failuresAt(x)),
    [2, 1, 1],
  );
  for (let i = 0; i < 1000; i++) b.fail(`10.1.${i >> 8}.${i & 255}`);
  assert.equal(b.size, 3);
});

test("a guard after another guard does not check again: the narrower mount's error shape wins", async (t) => {
  const log = createLogger('error', () => {});
  const auth = await openServerAuth({ ...DEFAULT_CONFIG, apiKeys: ['inner-key'], metricsApiKey: 'metrics-key' }, log, {
    backoff: { freeFailures: 0, baseMs: 1, capMs: 1 },
  });
  t.after(() => auth.close());
  const app = express();
  const shapeA: ErrorShape = (res, status, message) => void res.status(status).json({ error: { message, type: 'invalid_request_error' } });
  app.use('/v1/embeddings', auth.guard(shapeA));
  app.use('/v1', auth.guard(cogErrorShape));
  app.post('/v1/embeddings', (_req, res) => void res.json({ ok: true }));
  // A guard on other keys still checks: an API key does not open a METRICS_API_KEY route.
  app.get('/v1/stats', auth.metricsGuard(cogErrorShape), (_req, res) => void res.json({ ok: true }));
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/embeddings`;
  const bad = await fetch(url, { method: 'POST' });
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), {
    error: { message: 'This server requires an API key: send it as "Authorization: Bearer <key>".', type: 'invalid_request_error' },
  });
  const good = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer inner-key' } });
  assert.deepEqual(await good.json(), { ok: true });
  const stats = url.replace('/embeddings', '/stats');
  assert.equal((await fetch(stats, { headers: { authorization: 'Bearer inner-key' } })).status, 401);
  assert.equal((await fetch(stats, { headers: { authorization: 'Bearer metrics-key' } })).status, 401, 'the /v1 guard wants an API key first');
});

test('METRICS_API_KEY protects a /metrics route only when set', async (t) => {
  const log = createLogger('error', () => {});
  const serve = async (metricsApiKey: string | null) => {
    const auth = await openServerAuth({ ...DEFAULT_CONFIG, metricsApiKey }, log);
    const app = express();
    app.get('/metrics', auth.metricsGuard(cogErrorShape), (_req, res) => void res.type('text/plain').send('up 1\n'));
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  };
  const open = await serve(null);
  assert.equal((await fetch(open)).status, 200);
  const guarded = await serve('scrape-key');
  const none = await fetch(guarded);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(await none.json(), { detail: 'This server requires an API key: send it as "Authorization: Bearer <key>".' });
  const wrong = await fetch(guarded, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  const right = await fetch(guarded, { headers: { authorization: 'Bearer scrape-key' } });
  assert.equal(right.status, 200);
  assert.equal(await right.text(), 'up 1\n');
});
