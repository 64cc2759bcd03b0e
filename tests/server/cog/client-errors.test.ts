// Client mistakes are 4xx in the shape of the API they came to (Cog's
// `{"detail"}`, Replicate's `{"title","detail","status"}` under /v1), never a
// 500, and no response or failed prediction carries a stack trace or a path.
// Each repro of issue 9 §2 is here.
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Request } from 'express';
import { errorHandler } from '../../../src/server/app.ts';
import { MAX_JSON_DEPTH } from '../../../src/server/http/json-body.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { leak, rawRequest, type RawReply } from '../../helpers/server/raw-http.ts';
import { fakeResponse } from '../../helpers/server/fake-response.ts';

const GOOD = JSON.stringify({ input: { texts: ['a'] } });
/** A route of each family that parses a JSON body. */
const BODY_ROUTES = [
  { method: 'POST', path: '/predictions', v1: false },
  { method: 'PUT', path: '/predictions/p1', v1: false },
  { method: 'POST', path: '/v1/predictions', v1: true },
  { method: 'POST', path: '/v1/models/acme/bge/predictions', v1: true },
  { method: 'POST', path: '/v1/deployments/acme/bge/predictions', v1: true },
];

let s: RunningServer;
let fake: FakePredictor;

before(async () => {
  fake = new FakePredictor({ predictMs: 5 });
  s = await startTestServer({ predictor: fake });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

/** Asserts a 4xx `status` in the shape of its API, with a message matching `says`, and no leak. */
function assertClientError(r: RawReply, status: number, v1: boolean, says: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(leak(r.text), undefined, r.text);
  if (v1) {
    assert.deepEqual(Object.keys(r.body).slice(0, 3), ['title', 'detail', 'status'], r.text);
    assert.equal(r.body.status, status);
    assert.match(r.body.detail, says);
  } else {
    assert.deepEqual(Object.keys(r.body), ['detail'], r.text);
    assert.match(typeof r.body.detail === 'string' ? r.body.detail : JSON.stringify(r.body.detail), says);
  }
}

describe('compressed bodies that do not decompress are 400, unknown encodings 415', () => {
  const bad: [string, string | Buffer][] = [
    ['gzip', 'x'],
    ['deflate', deflateSync(GOOD).subarray(0, 6)],
    ['br', Buffer.from('garbage, not brotli at all')],
    ['gzip', gzipSync(GOOD).subarray(0, 12)],
  ];
  for (const route of BODY_ROUTES) {
    test(`${route.method} ${route.path}`, async () => {
      for (const [encoding, body] of bad) {
        const r = await rawRequest(s.url, { ...route, headers: { 'content-encoding': encoding, 'content-type': 'application/json' }, body });
        assertClientError(r, 400, route.v1, /could not be decompressed.*Content-Encoding/);
      }
      const r = await rawRequest(s.url, { ...route, headers: { 'content-encoding': 'compress' }, body: GOOD });
      assertClientError(r, 415, route.v1, /unsupported content encoding "compress".*gzip, deflate or br/);
    });
  }

  test('well-formed gzip, deflate and br bodies still work', async () => {
    for (const [encoding, body] of [
      ['gzip', gzipSync(GOOD)],
      ['deflate', deflateSync(GOOD)],
      ['br', brotliCompressSync(GOOD)],
    ] as const) {
      const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', headers: { 'content-encoding': encoding }, body });
      assert.equal(r.status, 200, `${encoding}: ${r.text}`);
      assert.deepEqual(r.body.output.texts, ['a']);
    }
  });
});

describe('malformed percent-encoding in a path is 400', () => {
  const cases = [
    { method: 'GET', path: '/v1/predictions/%ff', v1: true },
    { method: 'POST', path: '/v1/predictions/%ff/cancel', v1: true },
    { method: 'POST', path: '/predictions/%ff/cancel', v1: false },
    { method: 'PUT', path: '/predictions/%E0%A4%A', v1: false, body: GOOD },
    { method: 'PUT', path: '/predictions/%C0%AF', v1: false, body: GOOD },
    { method: 'POST', path: '/v1/models/%ff/x/predictions', v1: true, body: GOOD },
  ];
  for (const c of cases) {
    test(`${c.method} ${c.path}`, async () => {
      const r = await rawRequest(s.url, c);
      assertClientError(r, 400, c.v1, /malformed percent-encoding/);
    });
  }
});

describe('deeply nested JSON', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  test('5000 levels under an input key: 422 (Cog) naming the limit and the unknown key, no 500', async () => {
    const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', body: `{"input":{"texts":["a"],"x":${nested(5000)}}}` });
    assertClientError(r, 422, false, new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    assert.deepEqual(
      r.body.detail.map((d: any) => [d.loc, d.type]),
      [
        [['body', 'input', 'x'], 'value_error.json_depth'],
        [['body', 'input', 'x'], 'value_error.extra'],
      ],
    );
  });

  test('on every JSON route, in its shape', async () => {
    for (const route of BODY_ROUTES) {
      const r = await rawRequest(s.url, { ...route, body: `{"input":{"texts":["a"]},"extra":${nested(5000)}}` });
      assertClientError(r, route.v1 ? 400 : 422, route.v1, new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    }
  });

  test('nesting under the body limit in an unknown key is still reported as an unknown input', async () => {
    const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', body: `{"input":{"texts":["a"],"x":${nested(MAX_JSON_DEPTH - 2)}}}` });
    assertClientError(r, 422, false, /unknown input \\"x\\"/);
    assert.deepEqual(
      r.body.detail.map((d: any) => d.loc),
      [['body', 'input', 'x']],
    );
  });

  test('a known input nested too deeply names its field', async () => {
    const r = await rawRequest(s.url, { method: 'POST', path: '/v1/predictions', body: `{"input":{"texts":${nested(40)}}}` });
    assertClientError(r, 422, true, /texts: texts nests deeper than 16 levels/);
  });
});

describe('input values JSON can express but the model cannot use', () => {
  test('score_weights [1e309, 0, 0] (Infinity once parsed) is a 422: weights must be finite', async () => {
    for (const [path, v1] of [
      ['/predictions', false],
      ['/v1/predictions', true],
    ] as const) {
      const r = await rawRequest(s.url, { method: 'POST', path, body: '{"input":{"texts":["a"],"query":"q","score_weights":[1e309,0,0]}}' });
      assertClientError(r, 422, v1, /score_weights must be finite numbers/);
    }
  });

  test('a __proto__ input key is an unknown input, like any other', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const r = await rawRequest(s.url, { method: 'POST', path: '/predictions', body: `{"input":{"texts":["a"],"${key}":{"return_colbert":true}}}` });
      assertClientError(r, 422, false, new RegExp(`unknown input \\\\"${key}\\\\"`));
      assert.deepEqual(r.body.detail[0].loc, ['body', 'input', key]);
    }
    const v1 = await rawRequest(s.url, { method: 'POST', path: '/v1/predictions', body: '{"input":{"texts":["a"],"__proto__":{}}}' });
    assertClientError(v1, 422, true, /__proto__: unknown input "__proto__"/);
  });
});

describe('a failed prediction carries its message only', () => {
  // FakePredictor throws `new Error(<text after "fail:">)`: its stack holds this repo's absolute paths.
  const input = { texts: ['fail:the model broke'] };

  test('sync Cog: error and logs hold the message, not the stack', async () => {
    const r = await call(s.url, 'POST', '/predictions', { input });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'failed');
    assert.equal(r.body.error, 'the model broke');
    assert.equal(r.body.logs, 'the model broke\n');
    assert.equal(leak(r.text), undefined, r.text);
  });

  test('/v1: create, get and list hold the message, not the stack', async () => {
    const created = await call(s.url, 'POST', '/v1/predictions', { input }, { prefer: 'wait' });
    assert.equal(created.body.status, 'failed', created.text);
    const got = await call(s.url, 'GET', `/v1/predictions/${created.body.id}`);
    const list = await call(s.url, 'GET', '/v1/predictions');
    for (const r of [created, got, list]) assert.equal(leak(r.text), undefined, r.text);
    assert.equal(got.body.error, 'the model broke');
    assert.equal(got.body.logs, 'the model broke\n');
  });

  test('a path inside an error message is not shown either', async () => {
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['fail:cannot open /srv/models/bge/onnx/model.onnx'] } });
    assert.equal(r.body.error, 'cannot open <path>');
  });
});

test('an unexpected error is a 500 with a generic message: no stack, no path', async () => {
  const logged: string[] = [];
  const log = { debug() {}, info() {}, warn() {}, error: (m: string) => logged.push(m) };
  const err = new TypeError(`Cannot read properties of undefined (reading 'x') at ${import.meta.url}`);
  for (const [url, shape] of [
    ['/predictions', ['detail']],
    ['/v1/predictions', ['title', 'detail', 'status']],
  ] as const) {
    const { res, sent } = fakeResponse();
    errorHandler(log, 1024)(err, { originalUrl: url, method: 'POST', path: url } as Request, res, () => {});
    assert.equal(sent.status, 500);
    assert.deepEqual(Object.keys(sent.body), shape);
    assert.equal(leak(JSON.stringify(sent.body)), undefined);
    assert.doesNotMatch(JSON.stringify(sent.body), /TypeError|reading/);
  }
  assert.match(logged[0], /TypeError: Cannot read properties/, 'the stack goes to the server log');
});

test('the server kept answering throughout', async () => {
  const r = await eventually('READY', async () => ((await call(s.url, 'GET', '/health-check')).body.status === 'READY' ? true : undefined));
  assert.equal(r, true);
});
