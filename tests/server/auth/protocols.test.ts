// API keys and the origin policy on the OpenAI, TEI and Cohere doors: without
// a valid key each answers 401 in its own protocol's shape before reading the
// body, and runs nothing; the official openai and cohere-ai clients work with
// the key and get their 401 errors without; a foreign web page gets a 403 in
// the same shapes. TEI's /info stays open, like /openapi.json.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { Cohere, CohereClientV2 } from 'cohere-ai';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const KEY = 'protocol-key-0123456789';
let s: RunningServer;

before(async () => {
  s = await startTestServer({ weights: await officialWeights(), config: { apiKeys: [KEY] } });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

async function tokensEmbedded(): Promise<number> {
  const r = await call(s.url, 'GET', '/metrics');
  const line = String(r.text)
    .split('\n')
    .find((l) => l.startsWith('bge_m3_tokens_embedded_total '));
  assert.ok(line, 'tokens_embedded_total is exported');
  return Number(line.split(' ')[1]);
}

const OPENAI_ROUTES = ['/v1/embeddings', '/embeddings'];
const TEI_ROUTES = ['/embed', '/embed_sparse', '/tokenize', '/decode', '/rerank', '/predict', '/'];
const COHERE_ROUTES = ['/v1/rerank', '/v2/rerank', '/v2/embed'];

test('without a key every OpenAI, TEI and Cohere route is 401 in its own shape, before the body is read', async () => {
  const before = await tokensEmbedded();
  for (const path of [...OPENAI_ROUTES, ...TEI_ROUTES, ...COHERE_ROUTES]) {
    for (const headers of [{}, { authorization: 'Bearer wrong-key-000000' }] as Record<string, string>[]) {
      // Not JSON: a parsed body would give 400/422, so a 401 proves nothing was parsed.
      const r = await call(s.url, 'POST', path, '{not json', headers);
      assert.equal(r.status, 401, `${path}: ${r.text}`);
      assert.match(String(r.headers.get('www-authenticate')), /^Bearer/);
      if (OPENAI_ROUTES.includes(path)) {
        assert.equal(r.body.error.code, 'invalid_api_key', path);
        assert.equal(typeof r.body.error.message, 'string');
      } else if (COHERE_ROUTES.includes(path)) {
        assert.deepEqual(Object.keys(r.body), ['message'], path);
        assert.equal(typeof r.body.message, 'string', path);
      } else {
        assert.equal(typeof r.body.error, 'string', path);
        assert.equal(typeof r.body.error_type, 'string', path);
      }
    }
  }
  assert.equal(await tokensEmbedded(), before, 'no text was embedded');
});

test('TEI /info stays open', async () => {
  const r = await call(s.url, 'GET', '/info');
  assert.equal(r.status, 200, r.text);
  assert.equal(typeof r.body.max_input_length, 'number');
});

test('the official openai client works with the key and raises AuthenticationError without it', async () => {
  const good = new OpenAI({ apiKey: KEY, baseURL: `${s.url}/v1`, maxRetries: 0 });
  const out = await good.embeddings.create({ model: 'BAAI/bge-m3', input: ['hello'] });
  assert.equal(out.data.length, 1);
  assert.ok(out.data[0].embedding.length > 0);
  const bad = new OpenAI({ apiKey: 'not-the-key-000000', baseURL: `${s.url}/v1`, maxRetries: 0 });
  await assert.rejects(bad.embeddings.create({ model: 'BAAI/bge-m3', input: ['hello'] }), (err: unknown) => {
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.status, 401);
    return true;
  });
});

test('the official cohere-ai client reranks with the key and raises UnauthorizedError without it', async () => {
  const good = new CohereClientV2({ token: KEY, baseUrl: s.url, maxRetries: 0 });
  const out = await good.rerank({ model: 'BAAI/bge-m3', query: 'hello', documents: ['hello there', 'goodbye'] });
  assert.equal(out.results.length, 2);
  const bad = new CohereClientV2({ token: 'not-the-key-000000', baseUrl: s.url, maxRetries: 0 });
  await assert.rejects(bad.rerank({ model: 'BAAI/bge-m3', query: 'hello', documents: ['hello there'] }), (err: unknown) => {
    assert.ok(err instanceof Cohere.UnauthorizedError, String(err));
    assert.equal(err.statusCode, 401);
    return true;
  });
});

test('a foreign web page gets 403 in the OpenAI, TEI and Cohere shapes', async () => {
  const headers = { origin: 'https://evil.example', authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' };
  const openai = await call(s.url, 'POST', '/v1/embeddings', { input: 'hi' }, headers);
  assert.equal(openai.status, 403, openai.text);
  assert.match(openai.body.error.message, /CORS_ALLOW_ORIGINS/);
  const tei = await call(s.url, 'POST', '/embed', { inputs: 'hi' }, headers);
  assert.equal(tei.status, 403, tei.text);
  assert.match(tei.body.error, /CORS_ALLOW_ORIGINS/);
  assert.equal(typeof tei.body.error_type, 'string');
  for (const path of COHERE_ROUTES) {
    const cohere = await call(s.url, 'POST', path, { query: 'hi', documents: ['hi'] }, headers);
    assert.equal(cohere.status, 403, cohere.text);
    assert.deepEqual(Object.keys(cohere.body), ['message'], path);
    assert.match(cohere.body.message, /CORS_ALLOW_ORIGINS/);
  }
});
