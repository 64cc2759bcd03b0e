// Predictor.close() while a batch runs on the worker thread. The batch is held
// in flight by the worker's test hook (its thread blocked, as during a long
// forward pass), so the test waits for that state instead of timing one:
// every prediction still pending rejects with a message that says the model
// was closed, before the held batch ends; close() resolves once the thread is
// free; nothing is left unhandled; later calls say the Predictor is closed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { holdModelWorkerOnNextRun } from '../../src/engine/worker/test-hook.ts';
import { ensureTestModels, type LayoutName, type TestModels } from '../helpers/model/test-models.ts';

process.env.BGE_M3_TEST_HOOKS = '1';

let models: TestModels;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

before(async () => {
  models = await ensureTestModels();
  process.on('unhandledRejection', onUnhandled);
});
after(() => process.off('unhandledRejection', onUnhandled));

const CLOSED = /the model was closed.*send it again/i;
const texts = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i}: ${'word '.repeat(3 + (i % 20))}`);

async function setUp(layout: LayoutName): Promise<Predictor> {
  const p = new Predictor();
  // A small budget: many batches per prediction, so most texts are still queued when close() comes.
  await p.setup({ weights: models.dirs[layout], log: () => {}, maxBatchTokens: 64 });
  return p;
}

/** How a promise settled, without leaving a rejection unobserved. */
function settled(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; err: Error }> {
  return p.then(
    () => ({ ok: true as const }),
    (err: Error) => ({ ok: false as const, err }),
  );
}

for (const layout of ['official', 'xenova'] as const) {
  describe(`close() with a batch in flight (${layout} layout)`, () => {
    test('every pending prediction rejects with a clear error before the batch ends; close() then resolves', { timeout: 120_000 }, async () => {
      const p = await setUp(layout);
      const held = await holdModelWorkerOnNextRun();
      try {
        const plain = settled(p.predict({ texts: texts(40, 'plain'), return_colbert: true }));
        const chunked = settled(p.predict({ texts: texts(10, 'chunked').map((t) => t.repeat(4)), chunk_tokens: 16 }));
        const canceled = new AbortController();
        const aborted = settled(p.predict({ texts: texts(30, 'aborted'), chunk_tokens: 16 }, { signal: canceled.signal }));
        await held.holding;
        canceled.abort();
        const closing = settled(p.close());

        const [a, b, c] = await Promise.all([plain, chunked, aborted]);
        assert.ok(!a.ok && !b.ok && !c.ok, 'no prediction succeeded');
        assert.match(a.err.message, CLOSED);
        assert.match(b.err.message, CLOSED);
        // Canceled just before close(): whichever reached it first is its answer.
        assert.ok(c.err.name === 'AbortError' || CLOSED.test(c.err.message), c.err.message);
        await assert.rejects(p.predict({ texts: ['after close() began'] }), CLOSED);

        held.resume();
        assert.deepEqual(await closing, { ok: true });
      } finally {
        held.resume();
      }
      await assert.rejects(p.predict({ texts: ['after close()'] }), CLOSED);
      await p.close(); // a second close() is harmless
      assert.deepEqual(unhandled, []);
    });

    test('close() resolves when the held batch was the last one (nothing else pending)', { timeout: 120_000 }, async () => {
      const p = await setUp(layout);
      const held = await holdModelWorkerOnNextRun();
      try {
        const one = settled(p.predict({ texts: ['only one batch'] }));
        await held.holding;
        const closing = settled(p.close());
        const r = await one;
        assert.ok(!r.ok && CLOSED.test(r.err.message), r.ok ? 'succeeded' : r.err.message);
        held.resume();
        assert.deepEqual(await closing, { ok: true });
      } finally {
        held.resume();
      }
      assert.deepEqual(unhandled, []);
    });
  });
}

test('a setup can follow a close()', async () => {
  const p = await setUp('official');
  await p.close();
  await p.setup({ weights: models.dirs.official, log: () => {} });
  const out = await p.predict({ texts: ['again'] });
  assert.equal(out.dense_vecs?.length, 1);
  await p.close();
});
