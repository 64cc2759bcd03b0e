import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler, type RunBatch } from '../../../src/engine/batching/scheduler.ts';
import type { Need, TextEmbedding, TokenIds } from '../../../src/engine/types.ts';

const ALL: Need = { dense: true, sparse: true, colbert: false };

/** A fake model: each text's "embedding" encodes its own tokens, so mix-ups show. */
function recorder(delayMs = 0) {
  const batches: TokenIds[][] = [];
  let release: (() => void) | null = null;
  const run: RunBatch = async (batch) => {
    batches.push(batch);
    if (delayMs < 0) await new Promise<void>((r) => (release = r));
    else if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return batch.map((t): TextEmbedding => ({ tokenWeights: Float32Array.from(t) }));
  };
  return { batches, run, release: () => release?.() };
}

const text = (id: number, len: number): number[] => [0, ...Array(len - 2).fill(id), 2];
const idOf = (e: TextEmbedding) => e.tokenWeights![1];
const CORPUS_IDS = Array.from({ length: 40 }, (_, i) => 1000 + i);

test('every batch stays within the padded-token budget and results come back in input order', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 64, minFill: 0 });
  const lengths = [5, 30, 12, 7, 30, 3, 16, 9, 25, 4];
  const texts = lengths.map((len, i) => text(i + 10, len));
  const out = await s.submit(texts, ALL);
  assert.deepEqual(
    out.map(idOf),
    texts.map((t) => t[1]),
  );
  assert.deepEqual(
    out.map((e) => e.tokenWeights!.length),
    lengths,
  );
  for (const b of r.batches) {
    const padded = b.length * Math.max(...b.map((t) => t.length));
    assert.ok(padded <= 64, `batch of ${b.length} rows padded to ${padded} tokens`);
  }
  assert.equal(r.batches.flat().length, texts.length, 'each text runs exactly once');
});

test('a text longer than the budget still runs, alone', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 16 });
  const out = await s.submit([text(7, 40), text(8, 4)], ALL);
  assert.deepEqual(out.map(idOf), [7, 8]);
  assert.ok(r.batches.some((b) => b.length === 1 && b[0].length === 40));
});

test('rows of very different lengths are not padded together (minFill)', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 10_000, minFill: 0.75 });
  await s.submit([text(1, 100), text(2, 10), text(3, 90), text(4, 12)], ALL);
  for (const b of r.batches) {
    const lens = b.map((t) => t.length);
    assert.ok(Math.min(...lens) >= 0.75 * Math.max(...lens), `batch lengths ${lens}`);
  }
  assert.equal(r.batches.length, 2);
});

test('concurrent jobs share batches, and each gets its own outputs', async () => {
  const r = recorder(5);
  const s = new Scheduler(r.run, { maxBatchTokens: 1000 });
  const jobs = Array.from({ length: 12 }, (_, j) => s.submit([text(100 + j, 6), text(200 + j, 7)], ALL));
  const outs = await Promise.all(jobs);
  outs.forEach((out, j) => assert.deepEqual(out.map(idOf), [100 + j, 200 + j]));
  assert.ok(r.batches.length < 12, `12 jobs ran in ${r.batches.length} batches`);
  assert.ok(
    r.batches.some((b) => new Set(b.map((t) => t[1] % 100)).size > 1),
    'some batch mixes jobs',
  );
});

/**
 * Submits a 40-text corpus as `jobs` jobs (sharing `turn` when given), then, once its first batch is in
 * flight, a short query; runs every batch to the end. Returns how many batches started after the query
 * came, its own included, and the corpus's outputs.
 */
async function queryBehindCorpus(jobs: number, turn?: object): Promise<{ batchesUntilQuery: number; corpus: TextEmbedding[] }> {
  const r = recorder(-1);
  const s = new Scheduler(r.run, { maxBatchTokens: 64 });
  const corpus = CORPUS_IDS.map((id) => text(id, 60));
  const per = corpus.length / jobs;
  const corpusDone = Promise.all(Array.from({ length: jobs }, (_, j) => s.submit(corpus.slice(j * per, (j + 1) * per), ALL, { turn })));
  await new Promise((res) => setImmediate(res)); // the pump's turn: the corpus's first batch is in flight
  assert.equal(r.batches.length, 1);
  let queryDone = false;
  const query = s.submit([text(7, 4)], ALL).then((out) => {
    queryDone = true;
    return out;
  });
  // One batch at a time: end the one in flight, then wait until the next has started or the query is answered.
  while (!queryDone) {
    const before: number = r.batches.length;
    r.release();
    while (r.batches.length === before && !queryDone) await new Promise((res) => setImmediate(res));
  }
  const batchesUntilQuery = r.batches.length - 1;
  assert.deepEqual((await query).map(idOf), [7]);
  while (s.queuedTexts > 0 || r.batches.flat().length < 41) {
    r.release();
    await new Promise((res) => setImmediate(res));
  }
  r.release();
  return { batchesUntilQuery, corpus: (await corpusDone).flat() };
}

test('a short query is not starved by a long corpus submitted before it', async () => {
  const { batchesUntilQuery, corpus } = await queryBehindCorpus(1);
  assert.ok(batchesUntilQuery <= 2, `the query waited for ${batchesUntilQuery} batches`);
  assert.deepEqual(corpus.map(idOf), CORPUS_IDS);
});

test("a corpus sent as several jobs sharing one turn gets one job's turn, not one per job", async () => {
  const shared = await queryBehindCorpus(8, {});
  assert.ok(shared.batchesUntilQuery <= 2, `the query waited for ${shared.batchesUntilQuery} batches`);
  assert.deepEqual(shared.corpus.map(idOf), CORPUS_IDS);
  // Without a shared turn each job takes its own place in the round, ahead of the query.
  const separate = await queryBehindCorpus(8);
  assert.ok(separate.batchesUntilQuery > 2, `separate jobs let the query through after ${separate.batchesUntilQuery} batches`);
});

test('the union of needs runs, so a job asking for ColBERT gets it in a shared batch', async () => {
  const needs: Need[] = [];
  const s = new Scheduler(
    async (b, need) => {
      needs.push(need);
      return b.map(() => ({}));
    },
    { maxBatchTokens: 100 },
  );
  await Promise.all([
    s.submit([text(1, 5)], { dense: true, sparse: false, colbert: false }),
    s.submit([text(2, 5)], { dense: false, sparse: false, colbert: true }),
  ]);
  assert.deepEqual(needs, [{ dense: true, sparse: false, colbert: true }]);
});

test("cancel removes a job's queued texts and rejects it at once", async () => {
  const r = recorder(-1);
  const s = new Scheduler(r.run, { maxBatchTokens: 8 });
  const first = s.submit([text(1, 8)], ALL); // occupies the model
  await new Promise((res) => setImmediate(res));
  const ac = new AbortController();
  const doomed = s.submit(
    Array.from({ length: 5 }, (_, i) => text(50 + i, 8)),
    ALL,
    { signal: ac.signal },
  );
  const other = s.submit([text(9, 8)], ALL);
  assert.equal(s.queuedTexts, 6);
  ac.abort();
  await assert.rejects(doomed, { name: 'AbortError' });
  assert.equal(s.queuedTexts, 1, "only the other job's text remains queued");
  r.release();
  await first;
  await new Promise((res) => setImmediate(res));
  r.release();
  assert.deepEqual((await other).map(idOf), [9]);
  assert.ok(!r.batches.flat().some((t) => t[1] >= 50 && t[1] < 55), 'no canceled text ever ran');
});

test('a job canceled while its batch runs is rejected and its results are dropped', async () => {
  const r = recorder(-1);
  const s = new Scheduler(r.run, { maxBatchTokens: 100 });
  const ac = new AbortController();
  const p = s.submit([text(1, 5)], ALL, { signal: ac.signal });
  await new Promise((res) => setImmediate(res));
  assert.equal(r.batches.length, 1);
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  r.release();
});

test('an already-aborted signal rejects without queueing', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 100 });
  await assert.rejects(s.submit([text(1, 5)], ALL, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.equal(r.batches.length, 0);
});

test('a failing batch rejects the jobs in it, and later jobs still run', async () => {
  let calls = 0;
  const s = new Scheduler(
    async (b) => {
      if (calls++ === 0) throw new Error('out of memory');
      return b.map((t) => ({ tokenWeights: Float32Array.from(t) }));
    },
    { maxBatchTokens: 100 },
  );
  await assert.rejects(s.submit([text(1, 5)], ALL), /out of memory/);
  assert.deepEqual((await s.submit([text(2, 5)], ALL)).map(idOf), [2]);
});

test('progress is reported per batch up to the total', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 10 });
  const seen: number[] = [];
  await s.submit([text(1, 10), text(2, 10), text(3, 10)], ALL, {
    onProgress: (d, t) => {
      assert.equal(t, 3);
      seen.push(d);
    },
  });
  assert.deepEqual(seen, [1, 2, 3]);
});

test('a fixed batch dimension caps the rows per batch', async () => {
  const r = recorder();
  const s = new Scheduler(r.run, { maxBatchTokens: 1000, maxRows: 2 });
  await s.submit([text(1, 5), text(2, 5), text(3, 5)], ALL);
  assert.ok(r.batches.every((b) => b.length <= 2));
});

test('close() rejects every job at once, those of the batch in flight too, and every later submit', async () => {
  const r = recorder(-1);
  const s = new Scheduler(r.run, { maxBatchTokens: 8 });
  const running = s.submit([text(1, 8)], ALL);
  await new Promise((res) => setImmediate(res)); // the pump's turn: job 1's batch is in flight
  assert.equal(r.batches.length, 1);
  const queued = s.submit([text(2, 8), text(3, 8)], ALL);
  const closed = new Error('closed for the test');
  s.close(closed);
  await assert.rejects(running, closed);
  await assert.rejects(queued, closed);
  assert.equal(s.queuedTexts, 0);
  await assert.rejects(s.submit([text(4, 8)], ALL), closed);
  r.release(); // the batch in flight ends: its result goes nowhere, and nothing else runs
  await new Promise((res) => setImmediate(res));
  assert.equal(r.batches.length, 1);
});
