// A prediction the Predictor sends to the scheduler as several jobs (chunk
// groups sent while planning, MCLS's two passes, contextual windows) takes one
// turn of the scheduler's round robin, as one job would: a short query sent
// behind it waits for the batch in flight and one of the prediction's batches,
// not one per job. The first batch is held in flight by the worker's test hook
// while everything is queued, so the order does not depend on timing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import type { Input } from '../../src/api/schema-types.ts';
import { holdModelWorkerOnNextRun } from '../../src/engine/worker/test-hook.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';

process.env.BGE_M3_TEST_HOOKS = '1';

/** About 100 chunks of 8 tokens, planned and sent in several groups. */
const DOCUMENT = Array.from({ length: 400 }, (_, i) => `word${i % 7}`).join(' ');
/** Over twice a chunk's length, so the batch window never mixes the query with chunks (minFill 0.5). */
const QUERY = 'a query long enough to run in a batch of its own, apart from every short chunk of the document';

const waitFor = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setImmediate(r));
};

describe('one prediction, one turn', () => {
  const p = new Predictor();
  let batches = 0;

  before(async () => {
    // A small budget: each batch holds a few chunks, so the document needs many turns.
    await p.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {}, maxBatchTokens: 64 });
    p.observe({ batch: () => batches++ });
  });
  after(() => p.close());

  /**
   * Batches that ended from the moment the first one was held until the query's answer, those two
   * included; `sent`: the queued texts that show the long prediction has sent all its jobs.
   */
  async function batchesUntilQuery(long: Partial<Input>, sent: number): Promise<number> {
    const held = await holdModelWorkerOnNextRun();
    const first = p.predict({ texts: ['held in flight'] });
    await held.holding;
    const start = batches;
    const document = p.predict({ texts: [DOCUMENT], ...long });
    await waitFor(() => p.queuedTexts >= sent);
    let atQuery = -1;
    const query = p.predict({ texts: [QUERY] }).then(() => (atQuery = batches - start));
    await waitFor(() => p.queuedTexts > sent);
    held.resume();
    await Promise.all([first, document, query]);
    return atQuery;
  }

  test('chunk groups, sent while the document is planned', async () => {
    const chunks = (await p.predict({ texts: [DOCUMENT], chunk_tokens: 8 })).chunks!.length;
    assert.ok(chunks > 64, `${chunks} chunks make fewer than three groups`);
    const n = await batchesUntilQuery({ chunk_tokens: 8 }, chunks);
    assert.ok(n <= 3, `the query came back after ${n} batches`);
  });

  // These send all their jobs at once, after planning: one queued text says they are all queued.
  test('contextual windows of several texts', async () => {
    const n = await batchesUntilQuery({ texts: [DOCUMENT, DOCUMENT, DOCUMENT], chunk_tokens: 8, chunk_context: 'document', max_length: 40 }, 1);
    assert.ok(n <= 3, `the query came back after ${n} batches`);
  });

  test("MCLS's two passes", async () => {
    const n = await batchesUntilQuery({ dense_pooling: 'mcls', return_sparse: true }, 1);
    assert.ok(n <= 3, `the query came back after ${n} batches`);
  });
});
