// GET /metrics: Prometheus text that moves with the work done, checked on the
// real Predictor (tiny model) against the outputs' own numbers, and on a fake
// one for the queue gauges, whose values are then known exactly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Predictor } from '../../../predict.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { parseExposition, value, type Exposition } from '../../helpers/prom-text.ts';

async function scrape(url: string): Promise<Exposition> {
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await r.text());
}

describe('/metrics on the real Predictor', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ predictor: new Predictor(), weights: await officialWeights() });
    await waitForHealth(server.url, ['READY']);
  });
  after(() => server.close());

  it('counts the tokens, texts and forward passes the predictions used', async () => {
    const before = await scrape(server.url);
    const requests = [
      ['one short text'],
      ['two texts', 'the second one is a little longer than the first'],
      Array.from({ length: 9 }, (_, i) => `text number ${i} `.repeat(i + 1)),
    ];
    const counts: number[] = [];
    for (const texts of requests) {
      const r = await call(server.url, 'POST', '/predictions', { input: { texts } });
      assert.equal(r.body.status, 'succeeded', r.text);
      counts.push(...r.body.output.token_counts);
    }
    const after = await scrape(server.url);
    const delta = (name: string, labels = {}) => (value(after, name, labels) ?? 0) - (value(before, name, labels) ?? 0);
    const tokens = counts.reduce((a, b) => a + b, 0);
    assert.equal(delta('bge_m3_tokens_embedded_total'), tokens, 'tokens embedded = the sum of token_counts');
    assert.equal(delta('bge_m3_texts_embedded_total'), counts.length);
    assert.equal(delta('bge_m3_batch_texts_sum'), counts.length, 'every text in exactly one forward pass');
    const passes = delta('bge_m3_batch_texts_count');
    assert.ok(passes >= requests.length, `one pass per sequential request at least (${passes})`);
    assert.equal(delta('bge_m3_batch_padded_tokens_count'), passes);
    assert.ok(delta('bge_m3_batch_padded_tokens_sum') >= tokens, 'padding only adds');
    assert.ok(delta('bge_m3_model_busy_seconds_total') > 0);
    assert.equal(delta('bge_m3_prediction_duration_seconds_count', { api: 'cog', status: 'succeeded' }), requests.length);
    assert.equal(delta('bge_m3_http_requests_total', { method: 'POST', route: '/predictions', status: '200' }), requests.length);
    assert.equal(value(after, 'bge_m3_queue_texts'), 0);
    assert.equal(value(after, 'bge_m3_ready'), 1);
    assert.ok(value(after, 'bge_m3_setup_duration_seconds')! > 0);
    assert.ok(value(after, 'process_cpu_seconds_total')! > 0, 'default process metrics');
    assert.ok(value(after, 'nodejs_heap_size_used_bytes')! > 0);
  });

  it('labels requests by route pattern, never by raw path', async () => {
    await call(server.url, 'PUT', '/predictions/some-unique-id-123', { input: { texts: ['x'] } });
    await call(server.url, 'GET', '/no/such/path/4711');
    await call(server.url, 'POST', '/predictions', { input: { texts: [] } });
    const e = await scrape(server.url);
    assert.equal(value(e, 'bge_m3_http_requests_total', { method: 'PUT', route: '/predictions/:id', status: '200' }), 1);
    assert.equal(value(e, 'bge_m3_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.equal(value(e, 'bge_m3_http_requests_total', { method: 'POST', route: '/predictions', status: '422' }), 1);
    const routes = new Set(e.samples.filter((s) => s.name === 'bge_m3_http_requests_total').map((s) => s.labels.route));
    for (const r of routes) assert.ok(!/some-unique-id|4711/.test(r), r);
  });
});

describe('/metrics queue gauges', () => {
  it('report predictions waiting for a slot and texts waiting for a forward pass', async () => {
    const fake = Object.assign(new FakePredictor(), { queuedTexts: 17 });
    const server = await startTestServer({ predictor: fake, config: { maxConcurrency: 1 } });
    try {
      await waitForHealth(server.url, ['READY']);
      const first = await call(server.url, 'POST', '/v1/predictions', { input: { texts: ['hold:gauges'] } });
      const second = await call(server.url, 'POST', '/v1/predictions', { input: { texts: ['hold:gauges'] } });
      await eventually('the first running', () => (fake.started === 1 ? true : undefined));
      const e = await scrape(server.url);
      assert.equal(value(e, 'bge_m3_predictions_running'), 1);
      assert.equal(value(e, 'bge_m3_queue_predictions'), 1);
      assert.equal(value(e, 'bge_m3_queue_texts'), 17);
      assert.equal(value(e, 'bge_m3_prediction_slots'), 1);
      for (const p of [first, second]) await call(server.url, 'POST', `/v1/predictions/${p.body.id}/cancel`);
      const done = await scrape(server.url);
      assert.equal(value(done, 'bge_m3_prediction_duration_seconds_count', { api: 'v1', status: 'canceled' }), 2);
      assert.equal(value(done, 'bge_m3_queue_predictions'), 0);
      assert.equal(
        value(done, 'bge_m3_http_requests_total', { method: 'POST', route: '/v1/predictions/:id/cancel', status: '200' }),
        2,
        'mounted routers keep their prefix',
      );
    } finally {
      await server.close();
    }
  });
});

describe('metric names', () => {
  it('follow Prometheus conventions and are all documented in the README table, and only those', async () => {
    const server = await startTestServer({ predictor: new FakePredictor() });
    try {
      await waitForHealth(server.url, ['READY']);
      const e = await scrape(server.url);
      const ours = [...e.types].filter(([name]) => name.startsWith('bge_m3_'));
      assert.ok(ours.length >= 10);
      for (const [name, type] of ours) {
        assert.match(name, /^bge_m3_[a-z0-9_]+$/);
        if (type === 'counter') assert.match(name, /_total$/, name);
        else assert.doesNotMatch(name, /_total$/, name);
        assert.ok(e.helps.get(name)!.length > 10, `${name} has a help text`);
      }
      const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
      const table = readme.slice(readme.indexOf('## Metrics'));
      const documented = new Set([...table.matchAll(/^\| `(bge_m3_[a-z0-9_]+)` \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]}`));
      assert.deepEqual([...documented].sort(), ours.map(([n, t]) => `${n} ${t}`).sort());
    } finally {
      await server.close();
    }
  });
});
