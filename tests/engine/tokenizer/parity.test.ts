/**
 * BgeTokenizer against the oracle (Rust tokenizers reading the same tokenizer.json): ids with
 * special tokens, truncation, and how much @huggingface/tokenizers alone would get wrong.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Tokenizer as JsLibraryTokenizer } from '@huggingface/tokenizers';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { SCRIPT_SAMPLES } from '../../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { CURATED, generatedStrings, sentenceVariants } from '../../helpers/tokenizer/test-strings.ts';

const oracle = new RustOracle(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const sentences = SCRIPT_SAMPLES.flatMap((sample) => sample.sentences);
const STRINGS = [...CURATED, ...generatedStrings(200), ...sentenceVariants(sentences, 60)];
const NO_LIMIT = 1_000_000;

interface Mismatch {
  text: string;
  expected: number[];
  actual: number[];
}

test(`ids equal the Rust oracle's encode(text, add_special_tokens=true) on ${STRINGS.length} strings`, async () => {
  assert.ok(STRINGS.length >= 200);
  const mismatches: Mismatch[] = [];
  for (const text of STRINGS) {
    const expected = await oracle.ids(text);
    const { ids: actual, truncated } = tokenizer.encode(text, NO_LIMIT);
    if (expected.join() !== actual.join()) mismatches.push({ text, expected, actual });
    assert.equal(truncated, false);
  }
  assert.deepEqual(mismatches, []);
});

test("truncation equals the Rust library's truncation and [cls] + ids[:L-2] + [sep]", async () => {
  const mismatches: (Mismatch & { maxLength: number })[] = [];
  for (const maxLength of [2, 3, 4, 7, 16]) {
    for (const text of STRINGS) {
      const full = await oracle.ids(text);
      const expected = await oracle.truncatedIds(text, maxLength);
      assert.deepEqual(expected, [0, ...full.slice(1, -1).slice(0, maxLength - 2), 2], 'oracle truncation keeps the head');
      const { ids: actual, truncated } = tokenizer.encode(text, maxLength);
      if (expected.join() !== actual.join()) mismatches.push({ text, maxLength, expected, actual });
      assert.equal(truncated, full.length > maxLength, `truncated flag for L=${maxLength}: ${JSON.stringify(text)}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test('max lengths below 3 give only the special tokens', async () => {
  for (const maxLength of [0, 1, 2]) {
    assert.deepEqual(tokenizer.encode('Hello world!', maxLength), { ids: [0, 2], truncated: true });
    assert.deepEqual(tokenizer.encode('', maxLength), { ids: [0, 2], truncated: false });
  }
});

test('invalid arguments are rejected with a clear error', () => {
  assert.throws(() => tokenizer.encode('x', 1.5), /maxLength must be an integer/);
  assert.throws(() => tokenizer.encode(42 as unknown as string, 8), /text must be a string/);
});

test('@huggingface/tokenizers alone (JS NFKC instead of the charsmap) gets some strings wrong', async (t) => {
  const library = new JsLibraryTokenizer(JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8')), {});
  const wrong: string[] = [];
  for (const text of STRINGS) {
    if ((await oracle.ids(text)).join() !== library.encode(text).ids.join()) wrong.push(text);
  }
  t.diagnostic(`@huggingface/tokenizers alone differs from the oracle on ${wrong.length} of ${STRINGS.length} strings`);
  t.diagnostic(
    `examples: ${wrong
      .slice(0, 8)
      .map((s) => JSON.stringify(s))
      .join(', ')}`,
  );
  // The half-width voicing mark case is a documented divergence (JS NFKC composes ﾊﾟ to パ).
  assert.ok(wrong.includes('ﾊﾟ'), 'expected the ﾊﾟ divergence to show up');
});
