// "Copy as curl" must reproduce the input exactly. Oracle: /bin/sh and curl
// themselves: the command is run and the body that arrives is compared.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadCurl, type CurlModule } from '../helpers/web/web-modules.ts';

const run = promisify(execFile);
const CURL = ['/usr/bin/curl', '/bin/curl'].find((p) => existsSync(p));

interface Received {
  method: string;
  url: string;
  contentType: string;
  authorization?: string;
  body: string;
}

let curl: CurlModule;
let server: Server;
let root: string;
const received: Received[] = [];

before(async () => {
  curl = await loadCurl();
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'] ?? '',
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const NASTY = [
  'plain',
  "it's a quote's quote ''",
  'double "quotes" and \\backslashes\\ and $HOME and `uname` and $(id)',
  'line one\nline two\r\n\ttabbed',
  'ünïcödé, Привет, 東京, मराठी, 🙂👩‍👩‍👧',
  '!history !! && ; | > /tmp/x < *',
];

test('the command, run by sh, sends {"input": …} unchanged to POST /predictions', { skip: !CURL && 'curl is not installed' }, async () => {
  const input = { texts: NASTY, max_length: 512, return_colbert: true, query: "what's $this?", score_weights: [0.5, 0.25, 0.25] };
  const command = curl.curlCommand(root, input);
  await run('/bin/sh', ['-c', command]);
  const got = received.at(-1)!;
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/predictions');
  assert.equal(got.contentType, 'application/json');
  assert.deepEqual(JSON.parse(got.body), { input });
});

test('with a key, the command sends Authorization: Bearer $API_KEY from the shell, never the key itself', {
  skip: !CURL && 'curl is not installed',
}, async () => {
  const input = { texts: ['keyed'] };
  const command = curl.curlCommand(root, input, true);
  assert.ok(command.includes('-H "Authorization: Bearer $API_KEY"'));
  const key = 'k-3xample_key.value';
  await run('/bin/sh', ['-c', command], { env: { ...process.env, API_KEY: key } });
  const got = received.at(-1)!;
  assert.equal(got.authorization, `Bearer ${key}`);
  assert.deepEqual(JSON.parse(got.body), { input });
  await run('/bin/sh', ['-c', curl.curlCommand(root, input)]);
  assert.equal(received.at(-1)!.authorization, undefined, 'without a key no Authorization header');
});

test('a server root without the trailing slash gives the same URL', () => {
  const a = curl.curlCommand(root, { texts: ['x'] });
  const b = curl.curlCommand(root.replace(/\/$/, ''), { texts: ['x'] });
  assert.equal(a, b);
});

test('shellQuote survives sh for every ASCII character and some beyond', async () => {
  const all = Array.from({ length: 126 }, (_, i) => String.fromCharCode(i + 1)).join('') + 'é🙂';
  const { stdout } = await run('/bin/sh', ['-c', `printf '%s' ${curl.shellQuote(all)}`]);
  assert.equal(stdout, all);
});
