import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growWindow, type BatchLimits } from '../../../src/engine/batching/batch-window.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';

const LIMITS: BatchLimits = { maxBatchTokens: 4096, maxBatchAttention: 1 << 30, maxRows: null, minFill: 0, fixedCostTokens: 32 };

const window = (lengths: number[], anchor: number, limits: Partial<BatchLimits> = {}) => {
  const [lo, hi] = growWindow(lengths, anchor, { ...LIMITS, ...limits });
  return lengths.slice(lo, hi + 1);
};

/** The cost model of batch-window.ts, restated: (fixed + rows × longest) / real tokens. */
const perToken = (rows: number[], fixed = LIMITS.fixedCostTokens) => (fixed + rows.length * Math.max(...rows)) / rows.reduce((a, b) => a + b, 0);

test('short texts share a batch even at uneven lengths: the fixed cost dominates', () => {
  const lengths = [8, 9, 10, 11, 12, 12];
  assert.deepEqual(window(lengths, 2), lengths);
});

test('long texts of different lengths run alone: padding would cost more than it saves', () => {
  assert.deepEqual(window([500, 700, 900, 1200], 2), [900]);
  assert.deepEqual(window([500, 700, 900, 1200], 3), [1200]);
});

test('texts of one length fill the batch up to the token budget', () => {
  const lengths = Array(40).fill(512);
  assert.deepEqual(window(lengths, 0, { maxBatchTokens: 4096 }), Array(8).fill(512));
});

test('the attention limit caps rows × longest², so long texts do not pile up', () => {
  const lengths = Array(8).fill(2048);
  const rows = window(lengths, 0, { maxBatchTokens: 1 << 20, maxBatchAttention: 4 * 2048 * 2048 });
  assert.equal(rows.length, 4);
});

test('a text over every limit still runs, alone', () => {
  assert.deepEqual(window([10, 9000, 9000], 1, { maxBatchTokens: 4096, maxBatchAttention: 8192 * 8192 }), [9000]);
});

test('minFill and maxRows are floors and caps under the cost rule', () => {
  assert.deepEqual(window([4, 10], 1, { minFill: 0 }), [4, 10], 'the cost rule alone takes the 4');
  assert.deepEqual(window([4, 10], 1, { minFill: 0.5 }), [10]);
  assert.equal(window(Array(20).fill(10), 0, { maxRows: 6 }).length, 6);
});

test('on random queues, every window is within limits and cheaper per token than its anchor alone', () => {
  const random = seededRandom(7);
  for (let trial = 0; trial < 300; trial++) {
    const lengths = Array.from({ length: 1 + Math.floor(random() * 30) }, () => 3 + Math.floor(random() ** 3 * 3000)).sort((a, b) => a - b);
    const anchor = Math.floor(random() * lengths.length);
    const limits: BatchLimits = { ...LIMITS, maxBatchTokens: 256 + Math.floor(random() * 8000), maxBatchAttention: 1 << 22 };
    const [lo, hi] = growWindow(lengths, anchor, limits);
    const rows = lengths.slice(lo, hi + 1);
    assert.ok(lo <= anchor && anchor <= hi, 'the anchor is in its batch');
    if (rows.length > 1) {
      assert.ok(rows.length * rows.at(-1)! <= limits.maxBatchTokens, `budget: ${rows}`);
      assert.ok(rows.length * rows.at(-1)! ** 2 <= limits.maxBatchAttention, `attention: ${rows}`);
    }
    assert.ok(perToken(rows) <= perToken([lengths[anchor]]) + 1e-12, `batch ${rows} costs more per token than ${lengths[anchor]} alone`);
  }
});
