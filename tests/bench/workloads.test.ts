// The benchmark's own building blocks: texts of exact token counts, the
// mixed corpus's length spread, and the ceiling's padding-free batches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packUnpadded } from '../../bench/ceiling-batches.ts';
import { TextMaker } from '../../bench/corpus.ts';
import { logSpread } from '../../bench/workloads.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { seededRandom } from '../../tools/fixtures/tokenizer/corpus.ts';
import { TOKENIZER_FIXTURE } from '../../tools/fixtures/test-model/tokenizer-fixture.ts';

test("benchmark texts have exactly the token counts asked for, and their ids are the tokenizer's", async () => {
  const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_FIXTURE);
  const tokenize = (text: string) => tokenizer.encode(text, 1e9).ids;
  const make = new TextMaker(tokenize, 1);
  for (const target of [3, 8, 12, 128, 777]) {
    const t = make.make(target);
    assert.equal(t.ids.length, target, `asked for ${target} tokens: ${JSON.stringify(t.text.slice(0, 60))}`);
    assert.deepEqual(t.ids, tokenize(t.text));
  }
  assert.deepEqual(new TextMaker(tokenize, 5).make(50), new TextMaker(tokenize, 5).make(50), 'the same seed gives the same text');
});

test('the mixed corpus spreads lengths evenly on a log scale from lo to hi, in a seeded order', () => {
  const lengths = logSpread(24, 10, 2000, seededRandom(3));
  const sorted = [...lengths].sort((a, b) => a - b);
  assert.equal(sorted[0], 10);
  assert.equal(sorted.at(-1), 2000);
  const ratios = sorted.slice(1).map((l, i) => l / sorted[i]);
  for (const r of ratios) assert.ok(Math.abs(r - 200 ** (1 / 23)) < 0.1, `neighbouring lengths differ by ×${r}`);
  assert.notDeepEqual(lengths, sorted, 'arrival order is shuffled');
  assert.deepEqual(logSpread(24, 10, 2000, seededRandom(3)), lengths);
});

test('ceiling batches hold every text once, within the budget and fill, each cut to its shortest row', () => {
  const random = seededRandom(9);
  for (let trial = 0; trial < 100; trial++) {
    const lengths = Array.from({ length: 1 + Math.floor(random() * 40) }, () => 3 + Math.floor(random() * 600));
    const budget = 64 + Math.floor(random() * 2000);
    const batches = packUnpadded(lengths, budget, 0.75);
    assert.deepEqual(
      batches.flatMap((b) => b.rows).sort((a, b) => a - b),
      lengths.map((_, i) => i),
    );
    for (const b of batches) {
      const lens = b.rows.map((i) => lengths[i]);
      assert.equal(b.length, Math.min(...lens));
      if (b.rows.length > 1) {
        assert.ok(b.rows.length * Math.max(...lens) <= budget, `${lens} over ${budget}`);
        assert.ok(Math.min(...lens) >= 0.75 * Math.max(...lens), `${lens} below fill`);
      }
    }
  }
});
