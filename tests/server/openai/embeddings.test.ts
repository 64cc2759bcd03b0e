// OpenAI's embeddings API on the real (small generated) model, through the
// official `openai` npm client: its default call (it asks for base64) and
// encoding_format 'float' give /predictions' dense_vecs; errors come in
// OpenAI's shape and the SDK raises its own error classes for them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { RunningServer } from '../../../src/server/start.ts';
import { decodeFloat32Base64 } from '../../../src/api/vector-encoding.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

let s: RunningServer;
let client: OpenAI;
const TEXTS = ['What is BGE M3?', 'BM25 is a bag-of-words retrieval function', 'ünïcödé 😀'];
const LONG = 'tokens '.repeat(9000);

before(async () => {
  s = await startTestServer({ weights: await officialWeights() });
  client = new OpenAI({ apiKey: 'local', baseURL: `${s.url}/v1`, maxRetries: 0 });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

async function predictions(input: Record<string, unknown>) {
  const r = await call(s.url, 'POST', '/predictions', { input: { return_sparse: false, ...input } });
  assert.equal(r.status, 200, r.text);
  return r.body.output as { dense_vecs: number[][]; token_counts: number[] };
}

function assertClose(actual: ArrayLike<number>[], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: count`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i].length, expected[i].length, `${what}: dimension of ${i}`);
    let worst = 0;
    for (let j = 0; j < expected[i].length; j++) worst = Math.max(worst, Math.abs(expected[i][j] - actual[i][j]));
    assert.ok(worst <= 1e-6, `${what}: vector ${i} differs by ${worst}`);
  }
}

test("the SDK's default call (base64 on the wire) returns /predictions' dense_vecs, usage and the model echoed", async () => {
  const want = await predictions({ texts: TEXTS });
  let wireFormat: unknown;
  const spy = new OpenAI({
    apiKey: 'local',
    baseURL: `${s.url}/v1`,
    maxRetries: 0,
    fetch: async (url, init) => {
      wireFormat = JSON.parse(String(init?.body)).encoding_format;
      return fetch(url, init);
    },
  });
  const res = await spy.embeddings.create({ model: 'bge-m3-local', input: TEXTS });
  assert.equal(wireFormat, 'base64', 'the SDK asked for base64');
  assert.equal(res.object, 'list');
  assert.equal(res.model, 'bge-m3-local');
  assert.deepEqual(
    res.data.map((d) => [d.object, d.index]),
    TEXTS.map((_, i) => ['embedding', i]),
  );
  assertClose(
    res.data.map((d) => d.embedding),
    want.dense_vecs,
    'default call',
  );
  const tokens = want.token_counts.reduce((a, b) => a + b, 0);
  assert.deepEqual(res.usage, { prompt_tokens: tokens, total_tokens: tokens });
});

test('encoding_format float returns the same vectors as plain JSON numbers; base64 is their float32 bytes', async () => {
  const want = await predictions({ texts: TEXTS });
  const res = await client.embeddings.create({ model: 'BAAI/bge-m3', input: TEXTS, encoding_format: 'float' });
  assertClose(
    res.data.map((d) => d.embedding),
    want.dense_vecs,
    'float',
  );
  const raw = await call(s.url, 'POST', '/v1/embeddings', { input: TEXTS[0], encoding_format: 'base64' });
  assert.equal(typeof raw.body.data[0].embedding, 'string');
  assertClose([decodeFloat32Base64(raw.body.data[0].embedding)], [want.dense_vecs[0]], 'base64 decoded');
  assert.equal(raw.body.model, 'BAAI/bge-m3', 'the model defaults to BAAI/bge-m3');
});

test('/embeddings (no /v1) and every input shape: string, strings, token ids, token-id arrays', async () => {
  const want = await predictions({ texts: [TEXTS[1]] });
  const tokens = (await call(s.url, 'POST', '/tokenize', { inputs: TEXTS[1], add_special_tokens: false })).body[0].map((t: { id: number }) => t.id);
  const shapes = [TEXTS[1], [TEXTS[1]], tokens, [tokens, [0, ...tokens, 2]]];
  for (const input of shapes) {
    const r = await call(s.url, 'POST', '/embeddings', { input, model: 'm', user: 'someone', dimensions: want.dense_vecs[0].length });
    assert.equal(r.status, 200, r.text);
    assertClose(
      r.body.data.map((d: { embedding: number[] }) => d.embedding),
      r.body.data.map(() => want.dense_vecs[0]),
      JSON.stringify(input).slice(0, 40),
    );
    assert.equal(r.body.usage.prompt_tokens, want.token_counts[0] * r.body.data.length);
  }
});

test('an over-long input is a 400 naming it and the limit, unless truncate: true', async () => {
  await assert.rejects(client.embeddings.create({ model: 'm', input: ['short', LONG] }), (err: unknown) => {
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.param, 'input');
    assert.equal(err.code, 'context_length_exceeded');
    assert.match(err.message, /^400 Invalid 'input\[1\]': it has more than 8192 tokens .*limit of 8192/);
    return true;
  });
  const ids = Array(9000).fill(5);
  const byIds = await call(s.url, 'POST', '/v1/embeddings', { input: [ids] });
  assert.equal(byIds.status, 400);
  assert.match(byIds.body.error.message, /'input\[0\]': it has 9002 tokens/, "a token-id input's length is known exactly");
  const truncated = await call(s.url, 'POST', '/v1/embeddings', { input: LONG, truncate: true, encoding_format: 'float' });
  assert.equal(truncated.status, 200, truncated.text);
  assert.equal(truncated.body.usage.prompt_tokens, 8192);
  assertClose([truncated.body.data[0].embedding], (await predictions({ texts: [LONG], max_length: 8192 })).dense_vecs, 'truncated');
});

test("invalid requests: OpenAI's error shape, status and the SDK's error classes", async () => {
  const dim = (await predictions({ texts: ['x'] })).dense_vecs[0].length;
  await assert.rejects(client.embeddings.create({ model: 'm', input: 'x', dimensions: 256 }), (err: unknown) => {
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.param, 'dimensions');
    assert.match(err.message, new RegExp(`not a Matryoshka model.*${dim} dimensions`));
    return true;
  });
  const cases: [unknown, number, string | null, RegExp][] = [
    [{ model: 'm' }, 400, 'input', /'input' is a required property/],
    [{ input: [] }, 400, 'input', /must not be empty/],
    [{ input: 42 }, 400, 'input', /Invalid type for 'input'/],
    [{ input: ['a', 1] }, 400, 'input', /not a mix/],
    [{ input: [[1, 'a']] }, 400, 'input', /input\[0\]/],
    [{ input: Array(1025).fill('x') }, 400, 'input', /1025 inputs; this server takes at most 1024/],
    [{ input: [[5, 99999999]] }, 400, 'input', /'input\[0\]': token id 99999999 at position 1 is not in this model's vocabulary/],
    [{ input: Array(38).fill(Array(8000).fill(5)) }, 400, 'input', /304076 tokens in total, more than the 300000/],
    [{ input: 'x', encoding_format: 'int8' }, 400, 'encoding_format', /Supported values are: 'float' and 'base64'/],
    [{ input: 'x', model: 7 }, 400, 'model', /Invalid type for 'model'/],
    [{ input: 'x', truncate: 'yes' }, 400, 'truncate', /truncate/],
    ['[1, 2', 400, null, /not valid JSON/],
  ];
  for (const [body, status, param, message] of cases) {
    const r = await call(s.url, 'POST', '/v1/embeddings', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 60)}: ${r.text.slice(0, 200)}`);
    assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(r.body.error.type, 'invalid_request_error');
    assert.equal(r.body.error.param, param);
    assert.match(r.body.error.message, message);
  }
  const get = await call(s.url, 'GET', '/v1/embeddings');
  assert.equal(get.status, 405);
  assert.match(get.body.error.message, /Invalid method/);
});

test('/v1/embeddings lives beside the Replicate API under /v1, which is unchanged', async () => {
  const r = await call(s.url, 'POST', '/v1/predictions', { input: { texts: ['still here'] } }, { prefer: 'wait' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, 'succeeded');
  const missing = await call(s.url, 'GET', '/v1/predictions/nope');
  assert.deepEqual(Object.keys(missing.body).sort(), ['detail', 'status', 'title'], "Replicate's error shape under /v1");
});
