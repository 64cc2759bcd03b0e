// The playground names ColBERT rows by token only when the sparse output pins
// their order down. Oracle: Hugging Face's Rust tokenizer (npm `tokenizers`)
// on the tokenizer every test model ships with, which knows the true order;
// each token's text is its decode() (as FlagEmbedding's convert_id_to_token).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Tokenizer } from 'tokenizers';
import { SCRIPT_SAMPLES } from '../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { TOKENIZER_FIXTURE } from '../../tools/fixtures/test-model/tokenizer-fixture.ts';
import { loadTokenLabels, type TokenLabelsModule } from '../helpers/web/web-modules.ts';

const SPECIAL_IDS = new Set([0, 1, 2, 3]);

interface Tokenized {
  text: string;
  ids: number[];
  tokens: string[];
  decoded: string[];
}

let labels: TokenLabelsModule;
let tokenized: Tokenized[];

before(async () => {
  labels = await loadTokenLabels();
  const tokenizer = await Tokenizer.fromFile(TOKENIZER_FIXTURE);
  const texts = SCRIPT_SAMPLES.flatMap((s) => [...s.sentences, ...s.words, s.words.slice(0, 3).join(s.joiner)]);
  tokenized = [];
  for (const text of texts) {
    const e = await tokenizer.encode(text);
    // Drop <s> and </s>: the rows between them are what gets labelled.
    const ids = e.getIds().slice(1, -1);
    const decoded = await Promise.all(ids.map((id) => tokenizer.decode([id], false)));
    tokenized.push({ text, ids, tokens: e.getTokens().slice(1, -1), decoded });
  }
});

/** The sparse output the server would send if every token had a positive weight. */
function sparseOf(t: Tokenized) {
  const weights: Record<string, number> = {};
  const tokens: Record<string, string> = {};
  t.ids.forEach((id, i) => {
    if (SPECIAL_IDS.has(id)) return;
    weights[id] = 0.5;
    tokens[id] = t.decoded[i];
  });
  return { weights, tokens };
}

/** Every content token once, none special, none a bare ▁ (which decodes to ""). */
const distinct = (t: Tokenized) => new Set(t.ids).size === t.ids.length && !t.ids.some((id) => SPECIAL_IDS.has(id)) && !t.tokens.includes('▁');

describe('ColBERT row labels', () => {
  test("texts whose tokens are all distinct get exactly the tokenizer's tokens, in order, then </s>", () => {
    const cases = tokenized.filter(distinct);
    assert.ok(cases.length >= 20, `only ${cases.length} texts with distinct tokens; the check would say little`);
    let labelled = 0;
    for (const t of cases) {
      const got = labels.colbertRowLabels({ text: t.text, rows: t.ids.length + 1, truncated: false, ...sparseOf(t) });
      // Decoded tokens lose their ▁, so two orders may spell the same text: then no order is claimed.
      if (got.fromTokens) labelled++;
      assert.deepEqual(got.labels, got.fromTokens ? [...t.decoded, '</s>'] : [...t.ids.map((_, i) => String(i + 1)), '</s>'], t.text);
    }
    assert.ok(labelled >= cases.length / 2, `only ${labelled} of ${cases.length} texts were labelled`);
  });

  test('a bare word-start token (decoded to "") leaves positions: its place cannot be told', () => {
    const cases = tokenized.filter((t) => new Set(t.ids).size === t.ids.length && t.tokens.includes('▁'));
    assert.ok(cases.length >= 1);
    for (const t of cases) {
      assert.equal(labels.colbertRowLabels({ text: t.text, rows: t.ids.length + 1, truncated: false, ...sparseOf(t) }).fromTokens, false, t.text);
    }
  });

  test('a repeated token leaves every row a position', () => {
    const cases = tokenized.filter((t) => new Set(t.ids).size < t.ids.length);
    assert.ok(cases.length >= 5);
    for (const t of cases) {
      const rows = t.ids.length + 1;
      const got = labels.colbertRowLabels({ text: t.text, rows, truncated: false, ...sparseOf(t) });
      assert.equal(got.fromTokens, false, t.text);
      assert.deepEqual(got.labels, [...Array.from({ length: rows - 1 }, (_, i) => String(i + 1)), '</s>']);
    }
  });

  test('a token without a positive weight (absent from the sparse output) leaves positions', () => {
    const t = tokenized.find((x) => distinct(x) && x.ids.length >= 3)!;
    const { weights, tokens } = sparseOf(t);
    delete weights[t.ids[1]];
    const got = labels.colbertRowLabels({ text: t.text, rows: t.ids.length + 1, truncated: false, weights, tokens });
    assert.equal(got.fromTokens, false);
  });

  test('a truncated text, or one without sparse output, leaves positions', () => {
    const t = tokenized.find(distinct)!;
    const rows = t.ids.length + 1;
    assert.equal(labels.colbertRowLabels({ text: t.text, rows, truncated: true, ...sparseOf(t) }).fromTokens, false);
    assert.equal(labels.colbertRowLabels({ text: t.text, rows, truncated: false }).fromTokens, false);
  });

  test('two orders that both spell the text are ambiguous, so no order is claimed', () => {
    const weights = { 10: 1, 11: 1, 12: 1, 13: 1 };
    // Only "x" + "ab" + "c" spells "xabc".
    assert.deepEqual(labels.tokenOrder('x abc', 3, { 10: 1, 11: 1, 12: 1 }, { 10: 'x', 11: 'c', 12: 'ab' }), ['x', 'ab', 'c']);
    // "x" + "ab" + "a" + "b" and "x" + "a" + "b" + "ab" both spell "xabab".
    assert.equal(labels.tokenOrder('xabab', 4, weights, { 10: 'x', 11: 'ab', 12: 'a', 13: 'b' }), null);
    // No order spells it at all.
    assert.equal(labels.tokenOrder('xabab', 4, weights, { 10: 'x', 11: 'ab', 12: 'a', 13: 'c' }), null);
  });
});
