/**
 * TokenSpans (what /tokenize and /decode answer with) against the oracle, the Rust tokenizers
 * reading the same tokenizer.json: the same ids as BgeTokenizer, the Rust library's offsets
 * (its Node binding reports them in code points; ours are UTF-16 units, converted here), the
 * same special-token mask, and the Rust decode() with and without special tokens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tokenizer } from 'tokenizers';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../../src/engine/tokenizer/token-spans.ts';
import { SCRIPT_SAMPLES } from '../../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { CURATED, generatedStrings, sentenceVariants } from '../../helpers/tokenizer/test-strings.ts';

const oracle = Tokenizer.fromFile(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const spans = await TokenSpans.fromFile(TOKENIZER_JSON);
const sentences = SCRIPT_SAMPLES.flatMap((sample) => sample.sentences);
const EXTRA = [
  'a   b  c',
  ' x<s>y <mask> z',
  '  <mask>  tail',
  '<s><mask></s>',
  '\u200Bab',
  '\uFF21\u0301b',
  'e\u0301 \uFB01ne',
  '😀 family 👨‍👩‍👧',
  'lone \uD800 surrogate',
  '',
];
const STRINGS = [...CURATED, ...EXTRA, ...generatedStrings(200), ...sentenceVariants(sentences, 60)];

/** UTF-16 index -> code point index of `text` (with lone surrogates as one code point each). */
function codePointIndex(text: string): (unit: number) => number {
  const map: number[] = [];
  let cp = 0;
  for (const char of text) {
    for (let i = 0; i < char.length; i++) map.push(cp);
    cp++;
  }
  map.push(cp);
  return (unit) => map[unit];
}

test(`ids, offsets and special flags equal the Rust library's on ${STRINGS.length} strings`, async () => {
  const mismatches: { text: string; expected: unknown; actual: unknown }[] = [];
  for (const text of STRINGS) {
    const enc = await oracle.encode(text);
    const mine = spans.encode(text, true);
    assert.deepEqual(
      mine.map((t) => t.id),
      tokenizer.encode(text, 1_000_000).ids,
      `ids equal BgeTokenizer's for ${JSON.stringify(text)}`,
    );
    const cp = codePointIndex(text.replace(/\p{Cs}/gu, '\uFFFD'));
    const actual = mine.map((t) => [t.id, t.special ? 1 : 0, t.special ? 0 : cp(t.start!), t.special ? 0 : cp(t.stop!)]);
    const mask = enc.getSpecialTokensMask();
    const offsets = enc.getOffsets();
    const expected = enc.getIds().map((id, i) => [id, mask[i], offsets[i][0], offsets[i][1]]);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ text, expected, actual });
  }
  assert.deepEqual(mismatches, []);
});

test('without special tokens: the same tokens minus <s> and </s>', () => {
  for (const text of ['Hello world', '', '  <mask> x']) {
    assert.deepEqual(spans.encode(text, false), spans.encode(text, true).slice(1, -1));
  }
});

test("each content token's offsets slice out the text it came from (a word's leading space included)", () => {
  const text = 'The quick brown fox jumps over 13 lazy dogs.';
  const tokens = spans.encode(text, false);
  assert.ok(tokens.length > 9);
  for (const t of tokens) {
    const piece = tokenizer.tokenText(t.id);
    if (piece === '' || t.id === 3) continue; // a lone "▁" takes the next character's range; <unk> is not its text
    assert.equal(text.slice(t.start, t.stop).trimStart(), piece, `token ${t.id}`);
  }
  assert.equal(tokens.at(-1)!.stop, text.length);
});

test("decode equals the Rust library's decode, with and without special tokens", async () => {
  for (const text of STRINGS.slice(0, 150)) {
    const ids = (await oracle.encode(text)).getIds();
    for (const skip of [true, false]) {
      assert.equal(spans.decode(ids, skip), await oracle.decode(ids, skip), `decode(${JSON.stringify(text)}, skip=${skip})`);
    }
  }
});

test('decode refuses an id outside the vocabulary', () => {
  assert.throws(() => spans.decode([5, spans.vocabSize], true), /token id 4002 is not in the vocabulary \(0\.\.4001\)/);
});

test('a long stretch the normalizer leaves whole (200,000 characters of plain words) keeps every offset', () => {
  const text = 'hello world '.repeat(20_000).slice(0, 200_000);
  const got = spans.encode(text, false);
  assert.deepEqual(
    got.map((t) => t.id),
    tokenizer.encode(text, 300_000).ids.slice(1, -1),
  );
  assert.equal(got.at(-1)!.stop, text.length);
});
