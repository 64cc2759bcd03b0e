/**
 * Long and pathological strings against the oracle, at several max lengths: single words of
 * 10,000-100,000 characters in many scripts (the windowed Viterbi commits prefixes of them),
 * runs of spaces and white space (cut inside, collapsed across cuts), combining marks, emoji
 * runs, added tokens near chunk edges, and mixed scripts. Every text is longer than one chunk,
 * so cuts, carried state and early stops are all exercised. Last, a word whose segmentation
 * prefix depends on its end (ties), where committing a prefix early would be wrong.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { CHUNK_CHARS } from '../../../src/engine/tokenizer/content-encoding.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { smallUnigram } from '../../helpers/tokenizer/small-unigram.ts';

const oracle = new RustOracle(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);

const repeatTo = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

const TEXTS: Record<string, string> = {
  'Latin word, 100k': repeatTo('Supercalifragilisticexpialidocious', 100_000),
  'unknown letters, 50k': 'x'.repeat(50_000),
  'Cyrillic word, 30k': repeatTo('достопримечательность', 30_000),
  'Greek word, 20k': repeatTo('αποτελεσματικότητα', 20_000),
  'Arabic word, 30k': repeatTo('والمستشفيات', 30_000),
  'Hebrew word, 20k': repeatTo('והמחשבים', 20_000),
  'CJK run, 100k': repeatTo('自然语言处理是人工智能的一个重要方向東京都の天気は晴れ', 100_000),
  'Japanese kana run, 30k': repeatTo('ひらがなカタカナｶﾀｶﾅﾊﾟﾋﾟ', 30_000),
  'Hangul run, 30k': repeatTo('한국어자연어처리', 30_000),
  'Thai run, 30k': repeatTo('ให้ประวัติศาสตร์ภาษาไทย', 30_000),
  'Devanagari run, 30k': repeatTo('क्षत्रियज्ञानहिन्दी', 30_000),
  'digits and punctuation, 20k': repeatTo('3.14159,2718-42!?', 20_000),
  'emoji run, 20k': repeatTo('😀👨‍👩‍👧‍👦🇫🇷🇩🇪👍🏽✨', 20_000),
  'decomposed Hangul (jamo) run, 30k': repeatTo('\u1100\u1161\u11a8\u1102\u1165\u1112\u1169\u11ab', 30_000),
  'carriage returns, 20k': repeatTo('\r\r\n\r', 20_000) + 'end',
  'skin-toned emoji only, 20k': repeatTo('👍🏽👋🏿🙌🏻', 20_000),
  'flags only, 20k': repeatTo('🇫🇷🇩🇪🇯🇵🇺🇸', 20_000),
  'one lone regional indicator, then flags': '🇦' + repeatTo('🇫🇷🇩🇪🇯🇵', 20_000) + ' end',
  'combining marks, 20k': repeatTo('e\u0301\u0302\u0303a\u0300', 20_000),
  'one base with 10k combining marks, then words': 'e' + '\u0301'.repeat(10_000) + ' and then words'.repeat(200),
  'a letter with 60k combining marks': 'e' + repeatTo('\u0301\u0308\u0323', 60_000) + ' and words after it',
  'marks runs then joiner, emoji, trademark': repeatTo('😀' + '\u0301'.repeat(1500) + '\u200d™\u0301 ', 30_000),
  'marks run then a spacing mark and joiner': repeatTo('😀' + '\u0301'.repeat(1500) + '\u09be\u200d™\u0301 ', 30_000),
  'Devanagari consonant, 2k viramas, consonant': repeatTo('क' + '\u094d\u093c'.repeat(1000) + 'ष\u093c ', 30_000),
  'many spaces, 50k': 'a' + ' '.repeat(50_000) + 'b' + ' '.repeat(3_000) + 'c',
  'mixed white space runs': repeatTo('word \t\n\u3000\u00a0  \r\n\u2028 ', 30_000),
  'spaces before <mask> (lstrip) across chunks': 'a' + ' '.repeat(5_000) + '<mask>' + ' tail'.repeat(500),
  'added tokens at every offset': repeatTo('ab<s>c</s>d<mask> e<pad><unk>', 20_000),
  'mixed scripts without spaces, 60k': repeatTo('Helloмирعالم世界สวัสดีनमस्ते안녕😀', 60_000),
  'lone surrogates in a word': repeatTo('ab\ud800cd\udc00ef', 20_000),
  'sentences, 60k': repeatTo('The quick brown fox jumps over the lazy dog; le cœur a ses raisons. ', 60_000),
};

const LENGTHS = [3, 16, 512, 8192];

for (const [name, text] of Object.entries(TEXTS)) {
  test(`${name}: ids equal the oracle, whole and truncated at ${LENGTHS.join(', ')}`, async () => {
    assert.ok(text.length > CHUNK_CHARS, 'longer than one chunk');
    const full = await oracle.ids(text);
    assert.deepEqual(tokenizer.encode(text, full.length + 5), { ids: full, truncated: false });
    for (const maxLength of LENGTHS) {
      const { ids, truncated } = tokenizer.encode(text, maxLength);
      assert.deepEqual(ids, await oracle.truncatedIds(text, maxLength), `max_length ${maxLength}`);
      assert.equal(truncated, full.length > maxLength, `truncated at max_length ${maxLength}`);
    }
  });
}

test("tied segmentations of a periodic word: the first token depends on the word's end, and still matches", async () => {
  // "x" and "xx" score the same per character, so every segmentation of x...x ties; the Rust
  // library keeps the first best it finds, which puts a lone "x" first when the length is odd.
  const { json, path, dir } = smallUnigram(
    [
      ['<s>', 0],
      ['<pad>', 0],
      ['</s>', 0],
      ['<unk>', 0],
      ['▁', -1],
      ['x', -1],
      ['xx', -2],
    ],
    'ties',
  );
  try {
    const tied = new RustOracle(path);
    const small = BgeTokenizer.fromJson(json);
    const firsts = new Set<number>();
    for (const length of [20_000, 20_001]) {
      const text = 'x'.repeat(length);
      for (const maxLength of [4, 16, 512]) {
        const expected = await tied.truncatedIds(text, maxLength);
        assert.deepEqual(small.encode(text, maxLength).ids, expected, `${length} x, max_length ${maxLength}`);
        firsts.add(expected[2]);
      }
      assert.deepEqual(small.encode(text, 100_000).ids, await tied.ids(text));
    }
    assert.equal(firsts.size, 2, 'the odd and even words start differently, so the case is a real test');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
