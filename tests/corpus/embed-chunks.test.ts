// The --chunk-tokens window: predictChunks() calls in flight, bounded by rows and characters,
// every document's chunks handed on in input order, group after group.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChunkOutput, Output } from '../../predict.ts';
import { embedChunksInWindow } from '../../src/corpus/embed-chunks.ts';
import type { InputRow } from '../../src/corpus/readers/types.ts';

const OPTIONS = { dense: true, sparse: false, colbert: false, maxLength: 64, chunk: { tokens: 8, overlap: 0 } };

/** A fake Predictor: each text has text.length chunks, handed on two at a time once the call is released (at once with `released`). */
function fakePredictor(releasedAtOnce = false) {
  const calls: { texts: string[]; release: () => void }[] = [];
  return {
    calls,
    predict: async (): Promise<Output> => {
      throw new Error('not used with --chunk-tokens');
    },
    predictChunks(input: unknown): AsyncIterable<ChunkOutput[]> {
      const { texts } = input as { texts: string[] };
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      calls.push({ texts, release });
      if (releasedAtOnce) release();
      return (async function* () {
        await released;
        for (const [t, text] of texts.entries()) {
          const chunks = Array.from({ length: text.length }, (_, k) => ({
            text_index: t,
            chunk_index: k,
            start: k,
            end: k + 1,
            token_count: 3,
            cut: 'word' as const,
            dense_vec: [t, k],
          }));
          for (let k = 0; k < chunks.length; k += 2) yield chunks.slice(k, k + 2);
        }
      })();
    },
  };
}

async function* source(texts: string[], pulled: number[], fail?: string): AsyncGenerator<InputRow> {
  for (const [row, text] of texts.entries()) {
    pulled.push(row);
    yield { row, id: `r${row}`, text };
  }
  if (fail) throw new Error(fail);
}

test('chunkRows documents a call, windowRows and windowChars bound what is read ahead, rows in input order', async () => {
  const fake = fakePredictor();
  const pulled: number[] = [];
  const texts = Array.from({ length: 30 }, (_, i) => 'x'.repeat(1 + (i % 4)));
  const out = embedChunksInWindow(source(texts, pulled), fake, { ...OPTIONS, chunkRows: 3, windowRows: 9 });
  const first = out.next();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    fake.calls.map((c) => c.texts.length),
    [3, 3, 3],
    'three calls of 3 documents in flight',
  );
  assert.equal(pulled.length, 9, 'no row read beyond the window');
  fake.calls[2].release();
  fake.calls[0].release();
  const rows = [(await first).value!];
  for (let r = await out.next(); !r.done; r = await out.next()) {
    rows.push(r.value);
    fake.calls.forEach((c) => c.release());
  }
  const want = texts.flatMap((t, row) => Array.from({ length: t.length }, (_, k) => [row, k]));
  assert.deepEqual(
    rows.map((r) => [r.row, r.chunk!.index]),
    want,
  );
  assert.deepEqual(
    rows.map((r) => r.dense),
    texts.flatMap((t, row) => Array.from({ length: t.length }, (_, k) => [row % 3, k])),
    "each chunk row holds its own call's outputs",
  );

  // A document longer than windowChars holds the window alone until it is handed on.
  const long = fakePredictor(true);
  const order: number[] = [];
  const seen: number[][] = [];
  const big = embedChunksInWindow(source(['y'.repeat(40), 'z', 'z'], order), long, { ...OPTIONS, chunkRows: 1, windowRows: 256, windowChars: 10 });
  for await (const r of big) seen.push([r.row, order.length]);
  assert.deepEqual(
    seen.filter(([row]) => row === 0).map(([, read]) => read),
    Array(40).fill(1),
    'no other document read while the long one is handed on',
  );
  assert.deepEqual(order, [0, 1, 2]);
});

test('an input error surfaces after the chunks of every row read before it', async () => {
  const fake = fakePredictor(true);
  const got: number[] = [];
  await assert.rejects(async () => {
    const rows = embedChunksInWindow(source(['ab', 'abc', 'a'], [], 'bad line 4'), fake, { ...OPTIONS, chunkRows: 2, windowRows: 256 });
    for await (const r of rows) got.push(r.row);
  }, /bad line 4/);
  assert.deepEqual(got, [0, 0, 1, 1, 1, 2]);
});

test('a call holds no more than windowChars characters past its first document, and no row is lost between calls', async () => {
  const fake = fakePredictor(true);
  const texts = ['aaaa', 'bbbb', 'cc', 'd', 'eeeeeeeeee', 'f'];
  const rows = [];
  for await (const r of embedChunksInWindow(source(texts, []), fake, { ...OPTIONS, chunkRows: 16, windowRows: 256, windowChars: 6 })) rows.push(r);
  assert.deepEqual(
    fake.calls.map((c) => c.texts),
    [['aaaa'], ['bbbb', 'cc'], ['d'], ['eeeeeeeeee'], ['f']],
  );
  assert.deepEqual(
    rows.map((r) => [r.id, r.chunk!.index]),
    texts.flatMap((t, row) => Array.from({ length: t.length }, (_, k) => [`r${row}`, k])),
  );
});
