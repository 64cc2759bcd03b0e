// The image's HEALTHCHECK script, run as Docker runs it, against a stand-in server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tools/docker/healthcheck.mjs');

let reply: (res: http.ServerResponse) => void = () => {};
const server = http.createServer((req, res) => (req.url === '/health-check' ? reply(res) : res.writeHead(404).end()));
let port = 0;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function runCheck(env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // A generous timeout unless the test sets one: the answer comes at once, but a loaded machine may be slow to send it.
    const timeout = { HEALTHCHECK_TIMEOUT_MS: '60000' };
    execFile(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH, PORT: String(port), ...timeout, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code as number) : 0, output: stdout + stderr });
    });
  });
}

const status = (s: string) => (res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: s, setup: {} }));

describe('healthcheck.mjs', () => {
  for (const s of ['READY', 'BUSY', 'STARTING']) {
    it(`is healthy when the server reports ${s}`, async () => {
      reply = status(s);
      assert.deepEqual(await runCheck(), { code: 0, output: `status ${s}\n` });
    });
  }

  it('is unhealthy when setup failed', async () => {
    reply = status('SETUP_FAILED');
    assert.equal((await runCheck()).code, 1);
  });

  it('is unhealthy on an HTTP error or a body that is not JSON', async () => {
    reply = (res) => res.writeHead(500).end('oops');
    assert.match((await runCheck()).output, /HTTP 500/);
    reply = (res) => res.writeHead(200).end('<html>');
    assert.equal((await runCheck()).code, 1);
  });

  it('is unhealthy when nothing listens on PORT', async () => {
    const r = await runCheck({ PORT: '1' });
    assert.equal(r.code, 1);
    assert.match(r.output, /health-check failed/);
  });

  it('is unhealthy when the server does not answer in time', async () => {
    reply = () => {}; // never answers
    const r = await runCheck({ HEALTHCHECK_TIMEOUT_MS: '200' });
    assert.equal(r.code, 1);
    assert.match(r.output, /no answer within 200 ms/);
  });
});
