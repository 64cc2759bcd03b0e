// A webhook must not be able to loop the server (issue 9 §3). Against the
// real server process: webhooks pointing at the server itself are refused
// with 422 and create nothing, and a payload relayed back by a third party is
// not itself a create request asking for the same webhook again.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { call, eventually } from '../../helpers/server/helpers.ts';
import { rawRequest } from '../../helpers/server/raw-http.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/server/server-process.ts';

let srv: ServerProcess;

before(async () => {
  // The proxy tests below reach the server as embed.example.com.
  srv = await startServerProcess({ ALLOWED_HOSTS: 'embed.example.com' });
});

after(() => srv.stop());

async function predictionCount(): Promise<number> {
  return (await call(srv.url, 'GET', '/v1/predictions')).body.results.length;
}

test('the repro of the issue is refused: 422, and no prediction is created', async () => {
  const self = `${srv.url}/v1/predictions`;
  const r = await call(srv.url, 'POST', '/v1/predictions', { input: { texts: ['x'] }, webhook: self, webhook_events_filter: ['completed'] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(
    r.body.invalid_fields.map((f: { field: string }) => f.field),
    ['webhook'],
  );
  assert.match(r.body.detail, /webhook must not point at this server itself/);
  assert.equal(await predictionCount(), 0);
});

test('every spelling of this server is refused, on Cog and /v1 routes', async () => {
  const p = srv.port;
  const selves = [
    `http://127.0.0.1:${p}/v1/predictions`,
    `http://localhost:${p}/predictions`,
    `http://LOCALHOST.:${p}/shutdown`,
    `http://127.1:${p}/x`,
    `http://2130706433:${p}/v1/predictions`,
    `http://0.0.0.0:${p}/`,
    `http://0:${p}/`,
    `http://[::1]:${p}/v1/predictions`,
    `http://[::ffff:127.0.0.1]:${p}/v1/predictions`,
    `http://127.0.0.2:${p}/`,
    `http://anything.localhost:${p}/`,
  ];
  for (const webhook of selves) {
    const cog = await call(srv.url, 'POST', '/predictions', { input: { texts: ['x'] }, webhook });
    assert.equal(cog.status, 422, `${webhook}: ${cog.text}`);
    assert.deepEqual(
      cog.body.detail.map((d: { loc: unknown[] }) => d.loc),
      [['body', 'webhook']],
    );
    const v1 = await call(srv.url, 'POST', '/v1/models/a/b/predictions', { input: { texts: ['x'] }, webhook });
    assert.equal(v1.status, 422, `${webhook}: ${v1.text}`);
  }
  // Behind a proxy the server is known by its Host header.
  const proxied = await rawRequest(srv.url, {
    method: 'POST',
    path: '/v1/predictions',
    headers: { host: 'embed.example.com' },
    body: JSON.stringify({ input: { texts: ['x'] }, webhook: 'https://embed.example.com/v1/predictions' }),
  });
  assert.equal(proxied.status, 422, proxied.text);
  assert.equal(await predictionCount(), 0);
});

test('a webhook payload relayed back here creates one prediction without a webhook: the loop ends', async (t) => {
  // A third party that posts every payload it gets to the server's create route, as a misconfigured hop would.
  const relayed: { status: number; body: any }[] = [];
  const relay = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const r = await call(srv.url, 'POST', '/v1/predictions', Buffer.concat(chunks).toString('utf8'));
      relayed.push({ status: r.status, body: r.body });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => relay.close(() => r())));
  const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/hook`;

  const first = await call(srv.url, 'POST', '/v1/predictions', { input: { texts: ['x'] }, webhook: relayUrl, webhook_events_filter: ['completed'] });
  assert.equal(first.status, 201, first.text);
  const second = await eventually('the relayed create', () => relayed[0], 60_000);
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.ok(!('webhook' in second.body), 'the relayed payload asked for no webhook');
  await eventually(
    'the relayed prediction to end',
    async () => {
      const got = await call(srv.url, 'GET', `/v1/predictions/${second.body.id}`);
      return ['succeeded', 'failed', 'canceled'].includes(got.body.status) ? got : undefined;
    },
    60_000,
  );
  // The second prediction had no webhook, so nothing more can be sent: two predictions, one relay.
  assert.equal(await predictionCount(), 2);
  assert.equal(relayed.length, 1);
});

test('the server is alive and answering after all this', async () => {
  assert.equal(srv.child.exitCode, null);
  assert.equal((await call(srv.url, 'GET', '/health-check')).body.status, 'READY');
});

test('behind a proxy: the Host names the server on the default ports only; another port of that host is someone else', async () => {
  const send = (webhook: string) =>
    rawRequest(srv.url, {
      method: 'POST',
      path: '/predictions',
      headers: { host: 'embed.example.com', 'content-type': 'application/json' },
      // Only `start`: a non-terminal event gets one attempt, so the unreachable receiver costs no retries.
      body: JSON.stringify({ input: { texts: ['x'], max_length: 8 }, webhook, webhook_events_filter: ['start'] }),
    });
  for (const self of ['https://embed.example.com/predictions', 'http://embed.example.com/v1/predictions', 'https://EMBED.example.com:443/x']) {
    assert.equal((await send(self)).status, 422, self);
  }
  const other = await send('http://embed.example.com:8443/hooks');
  assert.equal(other.status, 200, other.text);
});
