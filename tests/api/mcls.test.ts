// MCLS's modified ids: an <s> in front of every group of 256 tokens, the
// text's own <s> heading the first, none after the last group.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MCLS_MAX_CONTENT, mclsInput, mclsInserts } from '../../src/api/mcls.ts';
import { MAX_POSITION_TOKENS } from '../../src/engine/model-facts.ts';

const text = (n: number) => [0, ...Array.from({ length: n }, (_, i) => 10 + i), 2];

test('<s> positions for 0, 1, 256, 257, 512 and 513 tokens between <s> and </s>', () => {
  const starts = (n: number) => mclsInput(text(n)).pool.map((r) => r.start);
  assert.deepEqual(starts(0), [0]);
  assert.deepEqual(starts(1), [0]);
  assert.deepEqual(starts(256), [0]);
  assert.deepEqual(starts(257), [0, 257]);
  assert.deepEqual(starts(512), [0, 257]);
  assert.deepEqual(starts(513), [0, 257, 514]);
});

test('the modified ids are the text with <s> inserted, and every pool range is one <s>', () => {
  const { ids, pool } = mclsInput(text(600));
  assert.deepEqual(
    ids.filter((id) => id !== 0),
    text(600).slice(1),
  );
  assert.equal(ids.length, 600 + 3 + 1);
  for (const r of pool) {
    assert.equal(r.end, r.start + 1);
    assert.equal(ids[r.start], 0);
  }
  assert.equal(ids.at(-1), 2);
});

test('8159 tokens is the longest text whose MCLS ids fit the 8192 positions', () => {
  assert.equal(mclsInput(text(MCLS_MAX_CONTENT)).ids.length, MAX_POSITION_TOKENS);
  assert.equal(mclsInput(text(MCLS_MAX_CONTENT + 1)).ids.length, MAX_POSITION_TOKENS + 1);
  assert.equal(mclsInserts(text(256)), false);
  assert.equal(mclsInserts(text(257)), true);
});
