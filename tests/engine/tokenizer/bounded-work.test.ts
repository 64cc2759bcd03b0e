/**
 * Tokenization reads only as much of a text as max_length needs, and a long word is segmented
 * in a bounded window. Work is counted, not timed: spies on the Precompiled normalizer (every
 * character normalized) and on the word segmenter (every character given to the Viterbi, and
 * the characters it holds uncommitted). The oracle takes 20-100 s on a 10 MB text, so ids are
 * compared on shorter texts here; pathological-parity.test.ts covers words up to 100,000 characters.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { PrecompiledCharsmap } from '../../../src/engine/tokenizer/precompiled-charsmap.ts';
import { WordSegmenter } from '../../../src/engine/tokenizer/unigram-encoder.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';

const oracle = new RustOracle(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const TEN_MB = 10_000_000;
const repeatTo = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

const normalize = PrecompiledCharsmap.prototype.normalize;
const push = WordSegmenter.prototype.push;
let normalized = 0;
let segmented = 0;
let mostPending = 0;

beforeEach(() => {
  normalized = segmented = mostPending = 0;
  PrecompiledCharsmap.prototype.normalize = function (this: PrecompiledCharsmap, text: string) {
    normalized += text.length;
    return normalize.call(this, text);
  };
  WordSegmenter.prototype.push = function (this: WordSegmenter, text: string) {
    segmented += text.length;
    push.call(this, text);
    mostPending = Math.max(mostPending, this.pending);
  };
});

afterEach(() => {
  PrecompiledCharsmap.prototype.normalize = normalize;
  WordSegmenter.prototype.push = push;
});

test('a 10 MB text of sentences at max_length 512 and 8192 normalizes only the start it needs', async () => {
  const sentence = 'Dense retrieval maps every passage to one vector; sparse retrieval keeps lexical weights. ';
  const text = repeatTo(sentence, TEN_MB);
  // Words are segmented independently, so the first 8192 tokens only depend on the first ~40,000 characters.
  const start = sentence.repeat(1000);
  const short = tokenizer.encode(text, 512);
  assert.ok(normalized < 20_000, `normalized ${normalized} of ${TEN_MB} characters for 512 tokens`);
  assert.deepEqual(short, { ids: await oracle.truncatedIds(start, 512), truncated: true });
  normalized = 0;
  const long = tokenizer.encode(text, 8192);
  assert.ok(normalized < 80_000, `normalized ${normalized} of ${TEN_MB} characters for 8192 tokens`);
  assert.deepEqual(long, { ids: await oracle.truncatedIds(start, 8192), truncated: true });
});

test('a 10 MB word without spaces at max_length 512 normalizes and segments only its start', () => {
  const word = repeatTo('自然语言处理是人工智能的一个重要方向', TEN_MB);
  const encoding = tokenizer.encode(word, 512);
  assert.ok(normalized < 20_000, `normalized ${normalized} of ${TEN_MB} characters`);
  assert.ok(segmented < 20_000, `gave ${segmented} of ${TEN_MB} characters to the Viterbi`);
  assert.equal(encoding.ids.length, 512);
  assert.equal(encoding.truncated, true);
});

test('a word read to its end is segmented in a bounded window', async () => {
  const word = repeatTo('Supercalifragilisticexpialidocious', 300_000);
  const expected = await oracle.ids(word);
  assert.deepEqual(tokenizer.encode(word, expected.length).ids, expected);
  assert.equal(segmented, word.length + 1, 'the whole word (and its ▁) went through the Viterbi');
  assert.ok(mostPending < 4096, `held up to ${mostPending} uncommitted characters of a ${word.length}-character word`);
});
