// The read-ahead window: several predict() calls in flight, results in input order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Output } from '../../predict.ts';
import { embedInWindow } from '../../src/corpus/embed-window.ts';
import type { InputRow } from '../../src/corpus/readers/types.ts';

async function* source(n: number, pulled: number[]): AsyncGenerator<InputRow> {
  for (let row = 0; row < n; row++) {
    pulled.push(row);
    yield { row, id: `r${row}`, text: 'x'.repeat(1 + (row % 5)) };
  }
}

test('keeps windowRows in flight across chunks, reads no further ahead, and yields in input order when calls finish out of order', async () => {
  const calls: { texts: string[]; resolve: () => void }[] = [];
  const pulled: number[] = [];
  let answerAtOnce = false;
  const fake = {
    predict(input: unknown): Promise<Output> {
      const { texts } = input as { texts: string[] };
      return new Promise((resolve) => {
        const call = {
          texts,
          resolve: () => resolve({ token_counts: texts.map((t) => t.length + 2), truncated: texts.map(() => false), dense_vecs: texts.map((t) => [t.length]) }),
        };
        calls.push(call);
        if (answerAtOnce) call.resolve();
      });
    },
  };
  const out = embedInWindow(source(40, pulled), fake, { dense: true, sparse: false, colbert: false, maxLength: 8192, chunkRows: 4, windowRows: 16 });
  const first = out.next();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    calls.map((c) => c.texts.length),
    [4, 4, 4, 4],
    'four calls of 4 rows in flight at once',
  );
  assert.equal(pulled.length, 16, 'no row read beyond the window');
  calls[3].resolve();
  calls[1].resolve();
  await new Promise((r) => setImmediate(r));
  calls[0].resolve();
  const rows = [(await first).value!];
  for (let i = 0; i < 7; i++) rows.push((await out.next()).value!);
  assert.deepEqual(
    rows.map((r) => r.row),
    Array.from({ length: 8 }, (_, i) => i),
    'rows 0-7 in order although calls 3 and 1 finished first',
  );
  assert.equal(calls.length, 5, 'chunk 0 handed on let one more chunk in; chunk 1 is still being handed on');
  answerAtOnce = true;
  calls.forEach((c) => c.resolve());
  for (let r = await out.next(); !r.done; r = await out.next()) rows.push(r.value);
  assert.equal(calls.length, 10);
  assert.deepEqual(
    rows.map((r) => r.id),
    Array.from({ length: 40 }, (_, i) => `r${i}`),
  );
  assert.deepEqual(
    rows.map((r) => r.tokenCount),
    Array.from({ length: 40 }, (_, i) => 3 + (i % 5)),
  );
});

test('an input error surfaces after every row read before it has been embedded and handed on', async () => {
  async function* failing(): AsyncGenerator<InputRow> {
    for (let row = 0; row < 10; row++) yield { row, id: `r${row}`, text: 'abc' };
    throw new Error('bad line 12');
  }
  const fake = {
    predict: async (input: unknown) => {
      const { texts } = input as { texts: string[] };
      return { token_counts: texts.map(() => 5), truncated: texts.map(() => false) } as Output;
    },
  };
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const r of embedInWindow(failing(), fake, { dense: false, sparse: false, colbert: false, maxLength: 8192, chunkRows: 4, windowRows: 256 }))
      got.push(r.row);
  }, /bad line 12/);
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'all ten rows first, though the window read past them at once');
});
