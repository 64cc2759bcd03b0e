// The requests of the hostile-input test: every repro of issue 9 and a few
// hundred generated malformed or extreme ones. Deterministic (seeded), so a
// failure names a case that fails again the same way.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { RawRequest } from './raw-http.ts';

export interface HostileCase extends RawRequest {
  name: string;
  /** Statuses the case must get, when more is known than "not 5xx". */
  expect?: number[];
}

const GOOD_INPUT = { texts: ['hello world'], max_length: 16 };
const good = (extra: Record<string, unknown> = {}) => JSON.stringify({ input: GOOD_INPUT, ...extra });
const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BODY_ROUTES: [string, string][] = [
  ['POST', '/predictions'],
  ['PUT', '/predictions/hostile'],
  ['POST', '/v1/predictions'],
  ['POST', '/v1/models/o/n/predictions'],
  ['POST', '/v1/deployments/o/n/predictions'],
];

/** Odd values for any field; raw JSON text, so non-finite numbers and lone surrogates can be written. */
const ODD_VALUES = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '-1',
  '1.5',
  '1e309',
  '-1e309',
  '9007199254740993',
  '1e-400',
  '""',
  '"x"',
  `"${'y'.repeat(5000)}"`,
  '[]',
  '{}',
  '[null]',
  '[1,2,3]',
  '["a",1]',
  '[[["a"]]]',
  '{"__proto__":{"polluted":1}}',
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"\\u0000"',
  '"\u202e\u200f\ufeff"',
  '"🧨💥"',
  '"\\u0000\\u0001\\u001f"',
  '"%ff%00"',
  '"true"',
  '"8192"',
  '"1e309"',
  '"[\\"a\\"]"',
  '"<script>alert(1)</script>"',
  '"../../etc/passwd"',
  `[${'"t",'.repeat(1100)}"t"]`,
  nested(200),
  nestedObjects(200),
  nested(5000),
];
const INPUT_KEYS = [
  'texts',
  'max_length',
  'return_dense',
  'return_sparse',
  'return_colbert',
  'query',
  'score_weights',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' texts',
  'TEXTS',
];
const ENVELOPE_KEYS = [
  'input',
  'id',
  'created_at',
  'context',
  'webhook',
  'webhook_events_filter',
  'version',
  'output_file_prefix',
  '__proto__',
  'constructor',
  'stream',
];

const MB = 1024 * 1024;

export function hostileCases(server: { url: string; port: number }): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const random = rng(20261130);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

  // Issue 9 §2: compressed bodies that do not decompress, on every route family; a gzip bomb.
  for (const [method, path] of BODY_ROUTES) {
    add({ name: `bad gzip ${method} ${path}`, method, path, headers: { 'content-encoding': 'gzip' }, body: 'x', expect: [400] });
    add({
      name: `truncated deflate ${method} ${path}`,
      method,
      path,
      headers: { 'content-encoding': 'deflate' },
      body: deflateSync(good()).subarray(0, 7),
      expect: [400],
    });
    add({
      name: `garbage brotli ${method} ${path}`,
      method,
      path,
      headers: { 'content-encoding': 'br' },
      body: Buffer.from('garbage brotli bytes'),
      expect: [400],
    });
    add({ name: `unknown encoding ${method} ${path}`, method, path, headers: { 'content-encoding': 'x-lzma' }, body: good(), expect: [415] });
    add({
      name: `double encoding ${method} ${path}`,
      method,
      path,
      headers: { 'content-encoding': 'gzip, gzip' },
      body: gzipSync(gzipSync(good())),
      expect: [200, 201, 415],
    });
  }
  add({
    name: 'gzip bomb (32 MB of zeros)',
    method: 'POST',
    path: '/predictions',
    headers: { 'content-encoding': 'gzip' },
    body: gzipSync(Buffer.alloc(32 * 1024 * 1024)),
    expect: [413],
  });
  add({
    name: 'brotli of a valid body',
    method: 'POST',
    path: '/v1/predictions',
    headers: { 'content-encoding': 'br' },
    body: brotliCompressSync(good()),
    expect: [201],
  });

  // Issue 9 §2: malformed percent-encoding.
  for (const bad of ['%ff', '%E0%A4%A', '%', '%%', '%zz', '%C0%AF', '%ED%A0%80', '%F4%90%80%80']) {
    add({ name: `GET /v1/predictions/${bad}`, method: 'GET', path: `/v1/predictions/${bad}`, expect: [400, 404] });
    add({ name: `POST /predictions/${bad}/cancel`, method: 'POST', path: `/predictions/${bad}/cancel`, expect: [400, 404] });
    add({ name: `PUT /predictions/${bad}`, method: 'PUT', path: `/predictions/${bad}`, body: good(), expect: [400, 200] });
    add({ name: `POST /v1/predictions/${bad}/cancel`, method: 'POST', path: `/v1/predictions/${bad}/cancel`, expect: [400, 404] });
  }
  add({ name: 'cursor with bad percent-encoding', method: 'GET', path: '/v1/predictions?cursor=%ff', expect: [400] });
  add({ name: 'cursor garbage', method: 'GET', path: '/v1/predictions?cursor=garbage', expect: [400] });
  add({ name: 'cursor as an array', method: 'GET', path: '/v1/predictions?cursor=a&cursor=b', expect: [200, 400] });
  add({ name: 'cursor as an object', method: 'GET', path: '/v1/predictions?cursor[a]=1', expect: [200, 400] });

  // Issue 9 §2: deep nesting, on every route family, in every part of a body.
  for (const [method, path] of BODY_ROUTES) {
    add({ name: `5000-deep unknown input ${method} ${path}`, method, path, body: `{"input":{"texts":["a"],"x":${nested(5000)}}}`, expect: [400, 422] });
    add({
      name: `100000-deep objects in the envelope ${method} ${path}`,
      method,
      path,
      body: `{"input":{"texts":["a"]},"x":${nestedObjects(100000)}}`,
      expect: [400, 422],
    });
  }
  add({ name: 'deep context', method: 'POST', path: '/predictions', body: `{"input":{"texts":["a"]},"context":{"k":${nested(3000)}}}`, expect: [422] });
  add({ name: 'deep texts', method: 'POST', path: '/predictions', body: `{"input":{"texts":${nested(3000)}}}`, expect: [422] });
  add({ name: 'deep body', method: 'POST', path: '/v1/predictions', body: nested(500000), expect: [400] });

  // Issue 9 §2: non-finite weights, prototype keys, and the ColBERT output limit.
  add({
    name: 'score_weights [1e309,0,0]',
    method: 'POST',
    path: '/predictions',
    body: '{"input":{"texts":["a"],"query":"q","score_weights":[1e309,0,0]}}',
    expect: [422],
  });
  add({
    name: 'score_weights [0,-1e309,0]',
    method: 'POST',
    path: '/v1/predictions',
    body: '{"input":{"texts":["a"],"score_weights":[0,-1e309,0]}}',
    expect: [422],
  });
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    add({ name: `${key} input key`, method: 'POST', path: '/predictions', body: `{"input":{"texts":["a"],"${key}":{"return_colbert":true}}}`, expect: [422] });
    add({
      name: `${key} envelope key`,
      method: 'POST',
      path: '/v1/predictions',
      body: `{"input":{"texts":["a"],"max_length":8},"${key}":{"webhook":"http://127.0.0.1:${server.port}/v1/predictions"}}`,
      expect: [201],
    });
  }
  const colbert = JSON.stringify({ input: { texts: Array.from({ length: 20 }, (_, i) => `text ${i} ${'many words '.repeat(110)}`), return_colbert: true } });
  add({ name: 'ColBERT output over the limit (sync Cog)', method: 'POST', path: '/predictions', body: colbert, expect: [422] });
  add({ name: 'ColBERT output over the limit (/v1)', method: 'POST', path: '/v1/predictions', body: colbert, expect: [201] });

  // Issue 9 §3: webhooks at the server itself, and other bad webhooks.
  const selves = [
    `${server.url}/v1/predictions`,
    `http://localhost:${server.port}/predictions`,
    `http://[::1]:${server.port}/`,
    `http://0.0.0.0:${server.port}/shutdown`,
    `http://127.0.0.9:${server.port}/`,
  ];
  for (const webhook of selves) {
    for (const [method, path] of BODY_ROUTES) {
      add({
        name: `self webhook ${webhook} via ${method} ${path}`,
        method,
        path,
        body: JSON.stringify({ input: GOOD_INPUT, webhook, webhook_events_filter: ['completed'] }),
        expect: [422],
      });
    }
  }
  for (const webhook of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ftp://x/',
    'http://',
    'not a url',
    `http://x/${'a'.repeat(70000)}`,
    42,
    ['http://x'],
    { url: 'http://x' },
  ]) {
    add({
      name: `bad webhook ${String(webhook).slice(0, 30)}`,
      method: 'POST',
      path: '/predictions',
      body: JSON.stringify({ input: GOOD_INPUT, webhook }),
      expect: [422],
    });
  }
  add({
    name: 'webhook_events_filter garbage',
    method: 'POST',
    path: '/v1/predictions',
    body: JSON.stringify({ input: GOOD_INPUT, webhook: 'http://127.0.0.1:9/x', webhook_events_filter: ['completed', { a: 1 }] }),
    expect: [422],
  });

  // Issue 9 §5: cross-origin writes, including text/plain "simple" requests.
  for (const [method, path] of [...BODY_ROUTES, ['POST', '/shutdown'], ['POST', '/predictions/x/cancel'], ['DELETE', '/v1/predictions/x']] as [
    string,
    string,
  ][]) {
    add({
      name: `cross-origin ${method} ${path}`,
      method,
      path,
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: good(),
      expect: [403],
    });
    add({ name: `null origin ${method} ${path}`, method, path, headers: { origin: 'null', 'content-type': 'text/plain' }, body: good(), expect: [403] });
  }
  add({
    name: 'cross-origin preflight',
    method: 'OPTIONS',
    path: '/predictions',
    headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    expect: [403],
  });
  add({ name: 'garbage origin', method: 'POST', path: '/predictions', headers: { origin: '%%%:::' }, body: good(), expect: [403] });

  // Wrong types for the body and the input.
  for (const body of [
    '[]',
    '"str"',
    '123',
    'null',
    'true',
    '{}',
    '{"input":[]}',
    '{"input":"x"}',
    '{"input":5}',
    '{"input":null}',
    '{"input":{"texts":"one text"}}',
  ]) {
    for (const [method, path] of [BODY_ROUTES[0], BODY_ROUTES[2]]) add({ name: `body ${body} ${path}`, method, path, body });
  }
  for (const body of [
    '',
    ' ',
    '{',
    '{"input":',
    '{"input":{"texts":["a"]}}garbage',
    '\ufeff{"input":{"texts":["a"]}}',
    '{"input":{"texts":["a"]}} {}',
    "{'input':1}",
    'NaN',
    '{"input":{"texts":[NaN]}}',
    '{"input":{"texts":[Infinity]}}',
  ]) {
    add({
      name: `malformed JSON ${JSON.stringify(body).slice(0, 30)}`,
      method: 'POST',
      path: pick(BODY_ROUTES)[1] === '/predictions' ? '/predictions' : '/v1/predictions',
      body,
    });
  }
  for (const [field, value] of [
    ['id', '5'],
    ['id', '{}'],
    ['id', `"${'i'.repeat(10000)}"`],
    ['created_at', '[]'],
    ['context', '{"a":1}'],
    ['context', '[]'],
    ['version', '{}'],
  ]) {
    add({
      name: `envelope ${field}=${value.slice(0, 20)}`,
      method: 'POST',
      path: '/predictions',
      body: `{"input":{"texts":["a"],"max_length":8},"${field}":${value}}`,
      expect: [200, 422],
    });
  }
  add({ name: 'PUT id mismatch', method: 'PUT', path: '/predictions/a', body: '{"id":"b","input":{"texts":["a"]}}', expect: [422] });

  // Odd headers and content types.
  const contentTypes = [
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=nope',
    'application/x-www-form-urlencoded',
    'image/png',
    ';;;',
    'application/json; charset="utf-8"; x=y',
  ];
  for (const ct of contentTypes) add({ name: `content-type ${ct}`, method: 'POST', path: '/predictions', headers: { 'content-type': ct }, body: good() });
  for (const prefer of ['wait=999999', 'wait=-1', 'wait=abc', 'respond-async, wait', 'wait=0', 'x'.repeat(4000)]) {
    add({ name: `Prefer ${prefer.slice(0, 20)}`, method: 'POST', path: '/v1/predictions', headers: { prefer }, body: good() });
  }
  for (const [name, value] of [
    ['traceparent', 'garbage'],
    ['accept', 'text/html'],
    ['accept', 'application/xml'],
    ['accept-encoding', 'x'],
    ['x-forwarded-host', 'evil.example'],
    ['host', ''],
    ['host', 'a:b:c'],
    ['expect', '100-continue'],
  ]) {
    add({ name: `header ${name}: ${value}`, method: 'POST', path: '/predictions', headers: { [name]: value }, body: good() });
  }
  add({ name: 'a 16 KB header', method: 'GET', path: '/health-check', headers: { 'x-big': 'h'.repeat(16 * 1024) }, expect: [431] });

  // Odd methods and paths.
  for (const method of ['PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'LOCK', 'SEARCH', 'PURGE']) {
    for (const path of ['/predictions', '/v1/predictions', '/shutdown'])
      add({ name: `${method} ${path}`, method, path, body: method === 'HEAD' || method === 'TRACE' ? undefined : good() });
  }
  for (const path of [
    '//predictions',
    '/predictions/',
    '/v1//predictions',
    '/v1/predictions/../../etc/passwd',
    `/${'a'.repeat(10000)}`,
    '/playground/../../package.json',
    '/playground/%2e%2e/%2e%2e/package.json',
    '/playground/..%2f..%2fpackage.json',
    '/\u0000',
    '/v1/predictions?cursor=' + 'c'.repeat(8000),
    '/health-check?x=%ff',
  ]) {
    add({ name: `GET ${path.slice(0, 40)}`, method: 'GET', path: encodeURI(path).replace(/%25/g, '%') });
  }
  add({ name: 'cancel an unknown Cog id', method: 'POST', path: '/predictions/never/cancel', expect: [404] });
  add({ name: 'cancel an unknown /v1 id', method: 'POST', path: '/v1/predictions/never/cancel', expect: [404] });

  // Oversized bodies (the test server's limit is 24 MB, so the 10 MB texts below fit).
  add({ name: 'a 25 MB body', method: 'POST', path: '/predictions', body: JSON.stringify({ input: { texts: ['z'.repeat(25 * MB)] } }), expect: [413] });
  add({ name: 'a 25 MB body on /v1', method: 'POST', path: '/v1/predictions', body: 'x'.repeat(25 * MB), expect: [413] });
  add({ name: '1025 texts', method: 'POST', path: '/predictions', body: JSON.stringify({ input: { texts: Array(1025).fill('t') } }), expect: [422] });
  // Long texts (issue 9 §1): tokenized only as far as max_length needs, with turns of the event loop inside a text.
  const words = (bytes: number) => 'word '.repeat(bytes / 5);
  add({
    name: 'a 10 MB single word',
    method: 'POST',
    path: '/predictions',
    body: JSON.stringify({ input: { texts: ['x'.repeat(10 * MB)], return_sparse: false } }),
    expect: [200],
  });
  add({
    name: 'a 10 MB text of short words at max_length 16',
    method: 'POST',
    path: '/predictions',
    body: JSON.stringify({ input: { texts: [words(10 * MB)], max_length: 16 } }),
    expect: [200],
  });
  add({
    name: 'a 10 MB text at max_length 512',
    method: 'POST',
    path: '/v1/predictions',
    body: JSON.stringify({ input: { texts: [words(10 * MB)], max_length: 512 } }),
    expect: [201],
  });
  add({
    name: 'a 1 MB single word',
    method: 'POST',
    path: '/predictions',
    body: JSON.stringify({ input: { texts: ['ж'.repeat(MB)], max_length: 64 } }),
    expect: [200],
  });
  add({
    name: 'a 5 KB text at max_length 8',
    method: 'POST',
    path: '/predictions',
    body: JSON.stringify({ input: { texts: ['word '.repeat(1000)], max_length: 8 } }),
    expect: [200],
  });

  // Unicode garbage: invalid UTF-8 bytes, lone surrogates, control characters, as texts that run.
  add({
    name: 'invalid UTF-8 bytes',
    method: 'POST',
    path: '/predictions',
    body: Buffer.concat([Buffer.from('{"input":{"texts":["'), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]), Buffer.from('"],"max_length":8}}')]),
  });
  for (const text of [
    '\\ud800',
    '\\udfff\\ud800',
    '\\u0000',
    '\u202e\u2066\u200d',
    '🧨'.repeat(300),
    'Z̴̢̛̫̞̙̤̾̆̓̆a̶l̷g̴o',
    '\ufffe\uffff',
    '\\u0085\\u2028\\u2029',
    '\t\r\n'.repeat(100),
    ' ',
  ]) {
    add({
      name: `text ${JSON.stringify(text).slice(0, 20)}`,
      method: 'POST',
      path: pick(['/predictions', '/v1/predictions']),
      body: `{"input":{"texts":["${text}"],"query":"${text}","max_length":32}}`,
    });
  }

  // Generated: valid bodies with one field replaced by an odd value, or an odd key added.
  for (let i = 0; i < 90; i++) {
    const key = pick(INPUT_KEYS);
    const fields: string[] = [`"texts":["case ${i}"]`, '"max_length":16'];
    fields.push(`${JSON.stringify(key)}:${pick(ODD_VALUES)}`);
    const [method, path] = pick(BODY_ROUTES);
    add({ name: `generated input ${i}: ${key}`, method, path: path.replace('hostile', `hostile-${i}`), body: `{"input":{${fields.join(',')}}}` });
  }
  for (let i = 0; i < 30; i++) {
    const key = pick(ENVELOPE_KEYS);
    const [method, path] = pick(BODY_ROUTES);
    add({
      name: `generated envelope ${i}: ${key}`,
      method,
      path: path.replace('hostile', `hostile-e${i}`),
      body: `{"input":{"texts":["e ${i}"],"max_length":8},${JSON.stringify(key)}:${pick(ODD_VALUES)}}`,
    });
  }
  // Generated: a valid body cut short, or with random bytes flipped.
  for (let i = 0; i < 30; i++) {
    const body = Buffer.from(JSON.stringify({ input: { texts: [`mutated ${i}`, 'ü€𝄞'], max_length: 8, query: 'q' } }));
    for (let k = 0; k < 3; k++) body[Math.floor(random() * body.length)] = Math.floor(random() * 256);
    const cut = i % 2 ? body.subarray(0, Math.floor(random() * body.length)) : body;
    add({ name: `mutated body ${i}`, method: 'POST', path: pick(['/predictions', '/v1/predictions']), body: cut });
  }
  // Generated: random bytes with random encodings and content types.
  for (let i = 0; i < 15; i++) {
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
    const encoding = pick([undefined, 'gzip', 'deflate', 'br', 'identity']);
    add({
      name: `random bytes ${i} (${encoding ?? 'plain'})`,
      method: pick(['POST', 'PUT']),
      path: pick(['/predictions', '/predictions/r', '/v1/predictions']),
      headers: { ...(encoding ? { 'content-encoding': encoding } : {}), 'content-type': pick(contentTypes) },
      body: bytes,
    });
  }
  // The rerank routes (issue 18): every field given odd values, bad bodies and foreign origins; never a 5xx.
  const RERANK: [string, string, string, string][] = [
    ['/v1/rerank', 'query', 'documents', 'top_n'],
    ['/v2/rerank', 'query', 'documents', 'max_tokens_per_doc'],
    ['/rerank', 'query', 'texts', 'truncate'],
  ];
  for (const [path, query, docs, extra] of RERANK) {
    const base = `"${query}":"q","${docs}":["a","b"]`;
    for (const field of [query, docs, extra, 'score_weights', 'top_n', 'return_documents']) {
      for (let k = 0; k < 4; k++) {
        // Raw JSON text per field, so the odd values stay as written (1e309, lone surrogates).
        const fields: Record<string, string> = { [query]: '"q"', [docs]: '["a","b"]', [field]: pick(ODD_VALUES) };
        add({
          name: `rerank ${path} ${field} odd value ${k}`,
          method: 'POST',
          path,
          body: `{${Object.entries(fields)
            .map(([key, v]) => `${JSON.stringify(key)}:${v}`)
            .join(',')}}`,
        });
      }
    }
    add({ name: `rerank ${path} weights [1e309,0,0]`, method: 'POST', path, body: `{${base},"score_weights":[1e309,0,0]}` });
    add({ name: `rerank ${path} 5000-deep documents`, method: 'POST', path, body: `{"${query}":"q","${docs}":${nested(5000)}}`, expect: [400, 422] });
    add({ name: `rerank ${path} bad gzip`, method: 'POST', path, headers: { 'content-encoding': 'gzip' }, body: 'x', expect: [400, 422] });
    add({ name: `rerank ${path} malformed JSON`, method: 'POST', path, body: '{"query": ', expect: [400, 422] });
    add({
      name: `rerank ${path} cross-origin`,
      method: 'POST',
      path,
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: `{${base}}`,
      expect: [403],
    });
    add({
      name: `rerank ${path} prototype keys`,
      method: 'POST',
      path,
      body: `{${base},"__proto__":{"top_n":0},"constructor":{"prototype":1}}`,
      expect: [200],
    });
  }
  return cases;
}
