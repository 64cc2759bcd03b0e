// A bounded load test: several concurrent clients, a few hundred predictions
// over Cog's routes (retrying 409s) and /v1 (which queues), on the real model.
// Every prediction must be accounted for exactly once, with its own output.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { DenseOracle, officialWeights } from '../../helpers/server/real-model.ts';

const SLOTS = 4;
const COG_CLIENTS = 6;
const COG_REQUESTS_EACH = 40;
const V1_CLIENTS = 2;
const V1_REQUESTS_EACH = 30;

let s: RunningServer;
let oracle: DenseOracle;

before(async () => {
  s = await startTestServer({ weights: await officialWeights(), config: { maxConcurrency: SLOTS } });
  oracle = await DenseOracle.create();
  await waitForHealth(s.url, ['READY']);
});

after(async () => {
  await s.close();
  await oracle.close();
});

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima'];
const POOL = Array.from({ length: 48 }, (_, i) => {
  const r = rng(i + 1);
  return `${i}: ` + Array.from({ length: 1 + Math.floor(r() * 30) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
});

interface Outcome {
  client: string;
  texts: string[];
  id: string | null;
  status: string;
  dense: number[][];
}

async function cogClient(name: string, seed: number, counters: { conflicts: number }): Promise<Outcome[]> {
  const r = rng(seed);
  const out: Outcome[] = [];
  for (let i = 0; i < COG_REQUESTS_EACH; i++) {
    const texts = Array.from({ length: 1 + Math.floor(r() * 4) }, () => POOL[Math.floor(r() * POOL.length)]);
    const id = i % 2 ? `${name}-${i}` : null;
    for (;;) {
      const res = id
        ? await call(s.url, 'PUT', `/predictions/${id}`, { input: { texts, return_sparse: false } })
        : await call(s.url, 'POST', '/predictions', { input: { texts, return_sparse: false } });
      if (res.status === 409) {
        counters.conflicts++;
        await sleep(5 + r() * 20);
        continue;
      }
      assert.equal(res.status, 200, res.text);
      out.push({ client: name, texts, id: res.body.id, status: res.body.status, dense: res.body.output?.dense_vecs });
      if (id) assert.equal(res.body.id, id);
      break;
    }
  }
  return out;
}

async function v1Client(name: string, seed: number): Promise<Outcome[]> {
  const r = rng(seed);
  const out: Outcome[] = [];
  for (let i = 0; i < V1_REQUESTS_EACH; i++) {
    const texts = Array.from({ length: 1 + Math.floor(r() * 4) }, () => POOL[Math.floor(r() * POOL.length)]);
    let p = (await call(s.url, 'POST', '/v1/models/o/n/predictions', { input: { texts, return_sparse: false } }, { prefer: 'wait=30' })).body;
    while (!['succeeded', 'failed', 'canceled'].includes(p.status)) {
      await sleep(20);
      p = (await call(p.urls.get, 'GET', '')).body;
    }
    out.push({ client: name, texts, id: p.id, status: p.status, dense: p.output?.dense_vecs });
  }
  return out;
}

test('hundreds of concurrent predictions: none lost, duplicated or mixed up', { timeout: 180_000 }, async (t) => {
  const counters = { conflicts: 0 };
  const clients = [
    ...Array.from({ length: COG_CLIENTS }, (_, i) => cogClient(`cog${i}`, 100 + i, counters)),
    ...Array.from({ length: V1_CLIENTS }, (_, i) => v1Client(`v1-${i}`, 200 + i)),
  ];
  const outcomes = (await Promise.all(clients)).flat();
  t.diagnostic(`${outcomes.length} predictions, ${counters.conflicts} 409 retries`);

  assert.equal(outcomes.length, COG_CLIENTS * COG_REQUESTS_EACH + V1_CLIENTS * V1_REQUESTS_EACH);
  const ids = outcomes.map((o) => o.id).filter((id): id is string => id !== null);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const o of outcomes) {
    assert.equal(o.status, 'succeeded', `${o.client} ${o.id}`);
    await oracle.assertDense(o.texts, o.dense, `${o.client} ${o.id ?? ''}`);
  }
  const listed = new Set<string>();
  let next: string | null = `${s.url}/v1/predictions`;
  while (next) {
    const page: { next: string | null; results: { id: string }[] } = (await call(next, 'GET', '')).body;
    for (const p of page.results) listed.add(p.id);
    next = page.next;
  }
  for (const o of outcomes.filter((x) => x.client.startsWith('v1'))) assert.ok(listed.has(o.id!), `v1 prediction ${o.id} is listed`);
  assert.equal((await call(s.url, 'GET', '/health-check')).body.status, 'READY');
});
