// ALLOWED_HOSTS against DNS rebinding, and TRUST_PROXY for the failed-key
// backoff behind a proxy: the parsers, the Host check in every API's shape,
// and which address the backoff counts.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { ownHosts, hostAllowed, hostOf, parseAllowedHosts } from '../../../src/server/http/allowed-hosts.ts';
import { parseTrustProxy } from '../../../src/server/http/trust-proxy.ts';
import { readServerConfig } from '../../../src/server/config.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { rawRequest } from '../../helpers/server/raw-http.ts';

test('ALLOWED_HOSTS: names, domains with subdomains, addresses and *; anything else is refused naming the variable', () => {
  assert.deepEqual(parseAllowedHosts(' API.example.com, .corp.example ,[::1],10.0.0.5,*'), ['api.example.com', '.corp.example', '::1', '10.0.0.5', '*']);
  assert.deepEqual(readServerConfig({ ALLOWED_HOSTS: 'a.example' }).allowedHosts, ['a.example']);
  assert.deepEqual(readServerConfig({}).allowedHosts, []);
  for (const bad of ['a.example:5000', 'http://a.example', 'a b', ',']) {
    assert.throws(() => parseAllowedHosts(bad), /ALLOWED_HOSTS (holds .* which is not a host name|is set but names no host)/, bad);
  }
});

test('a Host header is reduced to its host: port, brackets and a final dot dropped; garbage is no host', () => {
  assert.equal(hostOf('LocalHost:5000'), 'localhost');
  assert.equal(hostOf('[::1]:5000'), '::1');
  assert.equal(hostOf('api.example.com.'), 'api.example.com');
  assert.equal(hostOf('a:b:c'), undefined);
  assert.equal(hostOf(''), undefined);
  assert.ok(hostAllowed('x.corp.example', ['.corp.example']));
  assert.ok(hostAllowed('corp.example', ['.corp.example']));
  assert.ok(!hostAllowed('evilcorp.example', ['.corp.example']));
  assert.ok(!hostAllowed('localhost.evil.example', ownHosts('127.0.0.1')));
});

test("always allowed: localhost, loopback and the listening address; for 0.0.0.0, every interface's", () => {
  assert.deepEqual(ownHosts('127.0.0.1'), ['localhost', '127.0.0.1', '::1']);
  assert.deepEqual(ownHosts('192.0.2.7'), ['localhost', '127.0.0.1', '::1', '192.0.2.7']);
  const interfaces = Object.values(os.networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address.toLowerCase()));
  for (const a of interfaces) assert.ok(ownHosts('0.0.0.0').includes(a.replace(/%.*$/, '')), a);
});

test('TRUST_PROXY: a hop count or proxy addresses and subnets, as Express takes them; 0 is off', () => {
  assert.equal(parseTrustProxy('0'), false);
  assert.equal(parseTrustProxy('2'), 2);
  assert.deepEqual(parseTrustProxy('loopback, 10.0.0.0/8,fd00::/8'), ['loopback', '10.0.0.0/8', 'fd00::/8']);
  assert.equal(readServerConfig({}).trustProxy, false);
  for (const bad of ['yes', '10.0.0.0/33', '-1', 'true'])
    assert.throws(() => parseTrustProxy(bad), /TRUST_PROXY=.* is not valid: expected the number of proxies/, bad);
});

describe('the Host check on a running server', () => {
  const rebound = (port: number) => ({ host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' });
  const body = JSON.stringify({ input: { texts: ['hi'] }, model: 'BAAI/bge-m3', inputs: 'hi' });

  test('a page on a rebound name gets 403 in the shape of the API it called, and nothing runs', async () => {
    const predictor = new FakePredictor();
    const s = await startTestServer({ predictor });
    try {
      await waitForHealth(s.url, ['READY']);
      const shapes: [string, (b: any) => unknown][] = [
        ['/predictions', (b) => b.detail],
        ['/v1/predictions', (b) => b.title && b.detail],
        ['/v1/embeddings', (b) => b.error?.message],
        ['/embed', (b) => b.error_type && b.error],
      ];
      for (const [path, message] of shapes) {
        const r = await rawRequest(s.url, { method: 'POST', path, headers: rebound(s.port), body });
        assert.equal(r.status, 403, `${path}: ${r.text}`);
        assert.match(String(message(JSON.parse(r.text))), /does not answer to the host name "evil\.example:\d+".*ALLOWED_HOSTS/, path);
      }
      assert.equal(predictor.started, 0);
      const local = await rawRequest(s.url, { method: 'GET', path: '/health-check', headers: { host: `localhost:${s.port}` } });
      assert.equal(local.status, 200);
    } finally {
      await s.close();
    }
  });

  test("ALLOWED_HOSTS adds a domain and its subdomains to this machine's own names; * lets any name in", async () => {
    for (const [allowed, host, status] of [
      [['.example.com'], 'api.example.com', 200],
      [['.example.com'], 'localhost', 200],
      [['.example.com'], 'example.org', 403],
      [['*'], 'anything.test', 200],
    ] as const) {
      const s = await startTestServer({ predictor: new FakePredictor(), config: { allowedHosts: [...allowed] } });
      try {
        const r = await rawRequest(s.url, { method: 'GET', path: '/health-check', headers: { host } });
        assert.equal(r.status, status, `${allowed} / ${host}: ${r.text}`);
      } finally {
        await s.close();
      }
    }
  });
});

describe('the failed-key backoff behind a proxy', () => {
  async function secondClientWaits(trustProxy: false | number): Promise<boolean> {
    const waits: number[] = [];
    const s = await startTestServer({
      predictor: new FakePredictor(),
      config: { apiKeys: ['the-right-key-0123'], trustProxy },
      auth: { backoff: { freeFailures: 1 }, wait: async (ms) => void waits.push(ms) },
    });
    try {
      for (const client of ['198.51.100.1', '198.51.100.1', '198.51.100.2']) {
        const r = await rawRequest(s.url, {
          method: 'POST',
          path: '/predictions',
          headers: { 'x-forwarded-for': client, authorization: 'Bearer wrong-key-000000' },
          body: '{}',
        });
        assert.equal(r.status, 401);
      }
      assert.equal(waits.length >= 1, true, "the first client's second failure waits either way");
      return waits.length === 2;
    } finally {
      await s.close();
    }
  }

  test('without TRUST_PROXY every client behind the proxy shares one count; with it each client has its own', async () => {
    assert.equal(await secondClientWaits(false), true, 'one socket address: the other client is slowed too');
    assert.equal(await secondClientWaits(1), false, 'X-Forwarded-For names the client: the other client is not slowed');
  });
});
