// Cross-site requests (issue 9 §5): a web page on another origin may not
// create predictions or shut the server down, unless CORS_ALLOW_ORIGINS lets
// it, and then it gets proper CORS answers. Clients without an Origin (curl,
// servers) work as before. Every response says nosniff; the playground runs
// under a strict Content-Security-Policy.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readServerConfig } from '../../../src/server/config.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { rawRequest } from '../../helpers/server/raw-http.ts';

const BODY = JSON.stringify({ input: { texts: ['a'] } });
const EVIL = 'http://evil.example';

async function ready(
  t: { after: (fn: () => unknown) => void },
  corsAllowOrigins: string[] = [],
  webDir?: string,
): Promise<{ s: RunningServer; fake: FakePredictor }> {
  const fake = new FakePredictor({ predictMs: 1 });
  const s = await startTestServer({ predictor: fake, config: { corsAllowOrigins }, webDir });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  return { s, fake };
}

describe('without CORS_ALLOW_ORIGINS', () => {
  test('a cross-origin text/plain POST to /predictions is refused with 403 before anything runs', async (t) => {
    const { s, fake } = await ready(t);
    const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: BODY });
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(Object.keys(r.body), ['detail']);
    assert.match(r.body.detail, /http:\/\/evil\.example.*CORS_ALLOW_ORIGINS/);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.equal(fake.started, 0, 'the prediction never ran');
  });

  test("every state-changing route refuses, in its API's shape; the server stays up", async (t) => {
    const { s, fake } = await ready(t);
    const routes = [
      ['POST', '/shutdown', false],
      ['PUT', '/predictions/x', false],
      ['POST', '/predictions/x/cancel', false],
      ['POST', '/v1/predictions', true],
      ['POST', '/v1/predictions/x/cancel', true],
      ['DELETE', '/v1/predictions/x', true],
      ['POST', '/no-such-route', false],
    ] as const;
    for (const [method, path, v1] of routes) {
      for (const origin of [EVIL, 'null', `http://127.0.0.1:${s.port + 1}`, 'https://127.0.0.1.evil.example']) {
        const r = await rawRequest(s.url, { method, path, headers: { origin, 'content-type': 'text/plain' }, body: BODY });
        assert.equal(r.status, 403, `${method} ${path} from ${origin}: ${r.text}`);
        assert.deepEqual(Object.keys(r.body), v1 ? ['title', 'detail', 'status'] : ['detail']);
      }
    }
    assert.equal(fake.started, 0);
    assert.equal((await call(s.url, 'GET', '/health-check')).body.status, 'READY', '/shutdown was refused');
  });

  test('a preflight from another origin gets no CORS grant', async (t) => {
    const { s } = await ready(t);
    const r = await rawRequest(s.url, {
      method: 'OPTIONS',
      path: '/predictions',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  test("no Origin (curl, servers) and the server's own origin keep working, curl's form content type included", async (t) => {
    const { s, fake } = await ready(t);
    const curl = await rawRequest(s.url, {
      method: 'POST',
      path: '/predictions',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: BODY,
    });
    assert.equal(curl.status, 200, curl.text);
    const same = await rawRequest(s.url, {
      method: 'POST',
      path: '/v1/predictions',
      headers: { origin: s.url, 'content-type': 'application/json' },
      body: BODY,
    });
    assert.equal(same.status, 201, same.text);
    const sameByName = await rawRequest(s.url, {
      method: 'POST',
      path: '/predictions',
      headers: { origin: `http://localhost:${s.port}`, host: `localhost:${s.port}` },
      body: BODY,
    });
    assert.equal(sameByName.status, 200, sameByName.text);
    assert.equal(fake.started, 3);
  });

  test('cross-origin GETs are answered (a browser keeps them from the page without a CORS grant)', async (t) => {
    const { s } = await ready(t);
    const r = await rawRequest(s.url, { method: 'GET', path: '/health-check', headers: { origin: EVIL } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });
});

describe('with CORS_ALLOW_ORIGINS', () => {
  const APP = 'https://app.example.com';

  test('a listed origin gets preflight answers and ACAO on responses; others are still refused', async (t) => {
    const { s, fake } = await ready(t, [APP]);
    const pre = await rawRequest(s.url, {
      method: 'OPTIONS',
      path: '/v1/predictions',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], APP);
    assert.match(String(pre.headers['access-control-allow-methods']), /\bPOST\b.*\bPUT\b.*\bDELETE\b/);
    const allowedHeaders = String(pre.headers['access-control-allow-headers'])
      .toLowerCase()
      .split(/\s*,\s*/);
    for (const h of ['authorization', 'content-type', 'prefer']) assert.ok(allowedHeaders.includes(h), `${h} allowed`);
    assert.match(String(pre.headers.vary), /Origin/);

    const post = await rawRequest(s.url, { method: 'POST', path: '/v1/predictions', headers: { origin: APP, 'content-type': 'application/json' }, body: BODY });
    assert.equal(post.status, 201, post.text);
    assert.equal(post.headers['access-control-allow-origin'], APP);
    assert.match(String(post.headers['access-control-expose-headers']), /Location/);
    const get = await rawRequest(s.url, { method: 'GET', path: `/v1/predictions/${post.body.id}`, headers: { origin: APP } });
    assert.equal(get.headers['access-control-allow-origin'], APP);

    const other = await rawRequest(s.url, { method: 'POST', path: '/predictions', headers: { origin: EVIL }, body: BODY });
    assert.equal(other.status, 403);
    assert.equal(fake.started, 1);
  });

  test('* lets any origin in, with Access-Control-Allow-Origin: *', async (t) => {
    const { s } = await ready(t, ['*']);
    const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: BODY });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['access-control-allow-origin'], '*');
  });

  test('the variable is read as comma-separated origins; a non-origin is a startup error naming it', () => {
    assert.deepEqual(readServerConfig({ CORS_ALLOW_ORIGINS: ' https://a.example , http://localhost:3000,* ' }).corsAllowOrigins, [
      'https://a.example',
      'http://localhost:3000',
      '*',
    ]);
    assert.deepEqual(readServerConfig({}).corsAllowOrigins, []);
    for (const bad of ['a.example', 'https://a.example/app', 'ftp://a.example']) {
      assert.throws(() => readServerConfig({ CORS_ALLOW_ORIGINS: bad }), /CORS_ALLOW_ORIGINS holds .* not an origin/);
    }
  });
});

describe('security headers', () => {
  test('X-Content-Type-Options: nosniff on every response: JSON, errors, 404s, static files', async (t) => {
    const { s } = await ready(t);
    const replies = await Promise.all([
      rawRequest(s.url, { method: 'GET', path: '/' }),
      rawRequest(s.url, { method: 'GET', path: '/nope' }),
      rawRequest(s.url, { method: 'POST', path: '/predictions', body: '{bad' }),
      rawRequest(s.url, { method: 'POST', path: '/predictions', headers: { origin: EVIL }, body: BODY }),
      rawRequest(s.url, { method: 'GET', path: '/v1/predictions/%ff' }),
      rawRequest(s.url, { method: 'GET', path: '/playground/style.css' }),
    ]);
    for (const r of replies) assert.equal(r.headers['x-content-type-options'], 'nosniff', `${r.status} ${r.text.slice(0, 80)}`);
    assert.equal(replies[5].status, 200, 'the playground stylesheet is served');
  });

  test('the playground gets a strict CSP that admits exactly its own inline script; the API loads nothing', async (t) => {
    const webDir = mkdtempSync(join(tmpdir(), 'bge-csp-'));
    t.after(() => rmSync(webDir, { recursive: true, force: true }));
    const script = 'document.title = "ok";';
    writeFileSync(join(webDir, 'index.html'), `<!doctype html><title>t</title><script>${script}</script><script type="module" src="js/main.js"></script>`);
    const { s } = await ready(t, [], webDir);
    const page = await rawRequest(s.url, { method: 'GET', path: '/playground/' });
    const csp = String(page.headers['content-security-policy']);
    const directives = Object.fromEntries(csp.split(/\s*;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    const hash = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
    assert.deepEqual(directives['script-src'], ["'self'", hash]);
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['connect-src'], ["'self'"]);
    assert.deepEqual(directives['frame-ancestors'], ["'none'"]);
    assert.ok(!csp.includes('unsafe-'), csp);
    const api = await rawRequest(s.url, { method: 'GET', path: '/health-check' });
    assert.match(String(api.headers['content-security-policy']), /^default-src 'none'/);
  });
});
