/**
 * The charsmap normalizer: hand-checkable cases, then the Rust Precompiled normalizer (npm
 * `tokenizers`, same charsmap bytes) as oracle on every code point and on cluster-heavy strings.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { precompiled } from 'tokenizers';
import { PrecompiledCharsmap } from '../../../src/engine/tokenizer/precompiled-charsmap.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { CURATED, generatedStrings } from '../../helpers/tokenizer/test-strings.ts';

const charsmapBase64: string = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8')).normalizer.normalizers[0].precompiled_charsmap;
const charsmap = PrecompiledCharsmap.fromBase64(charsmapBase64);
const rust = precompiled([...Buffer.from(charsmapBase64, 'base64')]);

const codePoints = (text: string) => [...text].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

test('hand-checkable cases', () => {
  const cases: [string, string, string][] = [
    ['full-width letter', 'Ａ', 'A'],
    ['full-width digits and punctuation', '１２３！？', '123!?'],
    ['ideographic space', 'a\u3000b', 'a b'],
    ['metaspace character becomes a space', '\u2581x', ' x'],
    ['decomposed é composes (one 3-byte cluster)', 'e\u0301', '\u00e9'],
    ['ligature', 'ﬁ', 'fi'],
    ['half-width katakana', 'ｶﾀｶﾅ', 'カタカナ'],
    // ﾊﾟ is one 6-byte cluster, too long for a whole-cluster lookup: each character maps alone.
    ['half-width voiced kana stays split', 'ﾊﾟ', 'ハ\u309a'],
    // Ａ + U+0301 is a 5-byte cluster; its first character alone is a trie key, and that match
    // replaces the whole cluster: the accent is dropped.
    ['whole-cluster quirk drops the accent', 'Ａ\u0301', 'A'],
    ['plain ASCII is untouched', 'Hello, world 42', 'Hello, world 42'],
    ['NUL stops the trie walk and is kept', 'a\u0000b', 'a\u0000b'],
    ['ZWJ family emoji untouched', '👨‍👩‍👧‍👦', '👨‍👩‍👧‍👦'],
  ];
  for (const [name, input, expected] of cases) {
    assert.deepEqual(codePoints(charsmap.normalize(input)), codePoints(expected), name);
  }
});

// Planes 0-3 and 14 hold every assigned code point; 4-13 are unassigned, 15-16 private use.
const PLANES: [number, number][] = [
  [0x0000, 0x40000],
  [0xe0000, 0xf0000],
];

test('every assigned-plane code point, one per line, equals the Rust Precompiled normalizer', () => {
  const mismatches: string[] = [];
  for (const [first, last] of PLANES) {
    for (let start = first; start < last; start += 8192) {
      mismatches.push(...compareCodePoints(start, Math.min(start + 8192, last)));
    }
  }
  assert.deepEqual(mismatches.slice(0, 20), []);
});

function compareCodePoints(start: number, end: number): string[] {
  const mismatches: string[] = [];
  const chars: string[] = [];
  for (let cp = start; cp < end; cp++) {
    if (cp < 0xd800 || cp > 0xdfff) chars.push(String.fromCodePoint(cp));
  }
  // A newline is always a grapheme boundary, so each code point is normalized on its own.
  const text = chars.join('\n');
  const ours = charsmap.normalize(text).split('\n');
  const theirs = rust.normalizeString(text).split('\n');
  chars.forEach((char, i) => {
    if (ours[i] !== theirs[i]) mismatches.push(`${codePoints(char)}: ${codePoints(ours[i] ?? '')} vs ${codePoints(theirs[i] ?? '')}`);
  });
  return mismatches;
}

test('cluster-heavy strings equal the Rust Precompiled normalizer', () => {
  const strings = [...CURATED, ...generatedStrings(400, 3)];
  const mismatches = strings.filter((text) => charsmap.normalize(text) !== rust.normalizeString(text));
  assert.deepEqual(mismatches.map(codePoints), []);
});

test('a charsmap whose trie size exceeds the data is rejected', () => {
  assert.throws(() => PrecompiledCharsmap.fromBytes(new Uint8Array([8, 0, 0, 0, 1, 2])), /declares a 8-byte trie/);
  assert.throws(() => PrecompiledCharsmap.fromBytes(new Uint8Array([1])), /expected a u32 trie size/);
});
