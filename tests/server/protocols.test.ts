// The protocol records app.ts lists: which protocol claims a request, and
// that each renders every kind of error with a status and in its own shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_ERROR_KINDS } from '../../src/api/errors.ts';
import { PROTOCOLS } from '../../src/server/app.ts';
import { ERROR_KINDS, protocolFor, type Protocol, type ProtocolError } from '../../src/server/protocols.ts';
import { fakeResponse } from '../helpers/server/fake-response.ts';

function byName(name: Protocol['name']): Protocol {
  const p = PROTOCOLS.find((x) => x.name === name);
  assert.ok(p, name);
  return p;
}

/** Sends `error` through `p` and returns what reached the client. */
function render(p: Protocol, error: ProtocolError): { status: number; body: any } {
  const { res, sent } = fakeResponse();
  p.sendError(res, error);
  assert.equal(typeof sent.status, 'number', `${p.name} ${error.kind}: no status sent`);
  return { status: sent.status!, body: sent.body };
}

/** The keys of each protocol's error body, checked on every kind. */
const SHAPES: Record<Protocol['name'], (body: any, status: number, message: string) => void> = {
  cog: (body) => assert.deepEqual(Object.keys(body), ['detail']),
  replicate: (body, status) => {
    assert.deepEqual(Object.keys(body).slice(0, 3), ['title', 'detail', 'status']);
    assert.equal(body.status, status);
    assert.equal(typeof body.title, 'string');
  },
  openai: (body, _status, message) => {
    assert.deepEqual(Object.keys(body), ['error']);
    assert.deepEqual(Object.keys(body.error), ['message', 'type', 'param', 'code']);
    assert.equal(body.error.message, message);
  },
  tei: (body, _status, message) => {
    assert.deepEqual(Object.keys(body), ['error', 'error_type']);
    assert.equal(body.error, message);
  },
  cohere: (body, _status, message) => assert.deepEqual(body, { message }),
};

test('each request is claimed by one protocol: OpenAI and Cohere before Replicate under /v1, TEI by path and POST /, Cog the rest', () => {
  const cases: [string, string, Protocol['name']][] = [
    ['POST', '/v1/embeddings', 'openai'],
    ['POST', '/embeddings?x=1', 'openai'],
    ['GET', '/v1/embeddings', 'openai'],
    ['POST', '/v1/rerank', 'cohere'],
    ['POST', '/v2/rerank', 'cohere'],
    ['POST', '/v2/embed', 'cohere'],
    ['POST', '/embed', 'tei'],
    ['POST', '/embed_sparse', 'tei'],
    ['GET', '/info', 'tei'],
    ['POST', '/rerank', 'tei'],
    ['POST', '/', 'tei'],
    ['POST', '/v1/predictions', 'replicate'],
    ['GET', '/v1', 'replicate'],
    ['GET', '/v1/predictions?cursor=abc', 'replicate'],
    ['GET', '/v1/embeddings/extra', 'replicate'],
    ['GET', '/', 'cog'],
    ['POST', '/predictions', 'cog'],
    ['GET', '/health-check', 'cog'],
    ['GET', '/metrics', 'cog'],
    ['GET', '/v1x', 'cog'],
    ['GET', '/nothing-here', 'cog'],
  ];
  for (const [method, originalUrl, name] of cases) {
    assert.equal(protocolFor(PROTOCOLS, { method, originalUrl }).name, name, `${method} ${originalUrl}`);
  }
});

test('app.ts lists every protocol once, Cog (which claims everything) last', () => {
  assert.deepEqual(PROTOCOLS.map((p) => p.name).sort(), ['cog', 'cohere', 'openai', 'replicate', 'tei']);
  assert.equal(PROTOCOLS.at(-1)!.name, 'cog');
  for (const p of PROTOCOLS.slice(0, -1)) {
    assert.equal(p.claims({ method: 'GET', originalUrl: '/health-check' }), false, `${p.name} leaves Cog's routes to Cog`);
  }
});

test("every error kind has a status in every protocol, and is sent with it in that protocol's shape", () => {
  for (const p of PROTOCOLS) {
    for (const kind of ERROR_KINDS) {
      const expected = p.errors[kind]?.status;
      assert.ok(Number.isInteger(expected) && expected >= 400 && expected < 600, `${p.name} ${kind}: status ${expected}`);
      const message = `a ${kind} error`;
      const { status, body } = render(p, { kind, message });
      assert.equal(status, expected, `${p.name} ${kind}`);
      SHAPES[p.name](body, status, message);
    }
  }
});

test('a client error from the Predictor is a 4xx in every protocol, never a server error', () => {
  for (const p of PROTOCOLS) {
    for (const kind of CLIENT_ERROR_KINDS) {
      const { status } = render(p, { kind, message: 'refused' });
      assert.ok(status >= 400 && status < 500, `${p.name} ${kind}: ${status}`);
    }
  }
});

test('the protocols keep their own statuses for the same kinds', () => {
  const status = (name: Protocol['name'], kind: ProtocolError['kind']) => render(byName(name), { kind, message: 'm' }).status;
  const names: Protocol['name'][] = ['cog', 'replicate', 'openai', 'tei'];
  assert.deepEqual(
    names.map((n) => status(n, 'invalid_input')),
    [422, 422, 400, 422],
  );
  assert.deepEqual(
    names.map((n) => status(n, 'malformed_json')),
    [422, 400, 400, 422],
  );
  assert.deepEqual(
    names.map((n) => status(n, 'internal')),
    [500, 500, 500, 424],
  );
  assert.equal(status('cog', 'busy'), 409, 'Cog refuses a prediction when every slot is busy');
  assert.equal(status('tei', 'empty_input'), 400, "TEI's Empty");
});

test('a body error keeps the 4xx it carried; TEI answers a 400 with its 422', () => {
  for (const p of PROTOCOLS) {
    assert.equal(render(p, { kind: 'bad_request', status: 411, message: 'Length required.' }).status, 411, p.name);
  }
  assert.equal(render(byName('tei'), { kind: 'bad_request', status: 400, message: 'Bad.' }).status, 422);
  assert.equal(render(byName('cog'), { kind: 'bad_request', status: 400, message: 'Bad.' }).status, 400);
});

test('field-level issues: a Cog 422 lists them at their loc; Replicate adds invalid_fields', () => {
  const issues = [{ loc: ['body', 'input', 'texts'], msg: 'texts is required', type: 'value_error.missing' }];
  const cog = render(byName('cog'), { kind: 'invalid_input', message: 'texts is required', issues });
  assert.deepEqual(cog.body, { detail: issues });
  const v1 = render(byName('replicate'), { kind: 'invalid_input', message: 'texts is required', issues });
  assert.equal(v1.body.title, 'Input validation failed');
  assert.equal(v1.body.detail, '- input.texts: texts is required');
  assert.deepEqual(v1.body.invalid_fields, [{ type: 'value_error.missing', field: 'input.texts', description: 'texts is required' }]);
});

test("OpenAI's code follows the kind: an over-long input is context_length_exceeded, a missing key invalid_api_key", () => {
  const openai = byName('openai');
  assert.equal(render(openai, { kind: 'too_long', message: 'm' }).body.error.code, 'context_length_exceeded');
  assert.equal(render(openai, { kind: 'bad_token_id', message: 'm' }).body.error.code, 'invalid_value');
  assert.equal(render(openai, { kind: 'unauthenticated', message: 'm' }).body.error.code, 'invalid_api_key');
  const overloaded = render(openai, { kind: 'overloaded', message: 'm' }).body.error;
  assert.deepEqual([overloaded.type, overloaded.code], ['requests', 'rate_limit_exceeded']);
});

test('every protocol guards some routes with API keys, and has its router', () => {
  for (const p of PROTOCOLS) {
    assert.ok(p.keyRoutes.length > 0 && p.keyRoutes.every((k) => k.paths.length > 0), p.name);
    assert.equal(typeof p.routes, 'function');
  }
  const tei = byName('tei');
  assert.ok(!tei.keyRoutes.some((k) => k.paths.includes('/info')), "TEI's /info stays open");
});
