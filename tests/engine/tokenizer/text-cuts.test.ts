/**
 * The safe-cut rules of text-cuts.ts. Chunked tokenization and the Precompiled fast path both
 * rely on alwaysBreaksAround: between two such code points Intl.Segmenter (the grapheme source
 * of the normalizer) must find a boundary. Checked for every code point against neighbours of
 * each kind that the rule admits (letters of several scripts, Hangul syllables, emoji,
 * punctuation, white space, the code point itself).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alwaysBreaksAround, CutFinder } from '../../../src/engine/tokenizer/text-cuts.ts';

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const clusters = (text: string) => Array.from(segmenter.segment(text), (s) => s.segment);
const NEIGHBOURS = ['a', '가', '각', '中', '😀', '!', ' ', '\n', '\u00a0', 'क', 'ก'];

test('alwaysBreaksAround: every admitted code point breaks from admitted neighbours on both sides', () => {
  const admitted: string[] = [];
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    const char = String.fromCodePoint(codePoint);
    if (alwaysBreaksAround(char) && char !== '\r') admitted.push(char);
  }
  assert.ok(admitted.length > 100_000, `only ${admitted.length} code points admitted`);
  // Short strings "n X1 n X2 n ..." (Intl.Segmenter is slow on long ones): all breaks = one cluster per code point.
  const wrong = new Set<string>();
  for (const neighbour of [...NEIGHBOURS, 'self']) {
    for (let i = 0; i < admitted.length; i += 64) {
      const batch = admitted.slice(i, i + 64);
      const text = batch.map((char) => (neighbour === 'self' ? char + char : neighbour + char)).join('') + (neighbour === 'self' ? '' : neighbour);
      const expected = [...text];
      const actual = clusters(text);
      if (actual.length !== expected.length) {
        for (const char of batch) {
          const pair = neighbour === 'self' ? char + char : neighbour + char + neighbour;
          if (clusters(pair).length !== [...pair].length) wrong.add(`U+${char.codePointAt(0)!.toString(16).toUpperCase()} next to ${neighbour}`);
        }
      }
    }
  }
  assert.deepEqual([...wrong].slice(0, 20), []);
});

test('marks, joiners, jamo, regional indicators and lone surrogates are never cut around', () => {
  for (const char of ['\u0301', '\u200d', '\u200c', '\u1100', '\u11a8', '🇫', '\ufe0f', '\ud800', '\u0e33', '\uff9e', '🏽']) {
    assert.equal(alwaysBreaksAround(char), false, JSON.stringify(char));
  }
});

test('CutFinder: no cut inside a token, next to a CR, or in white space an lstrip token swallows', () => {
  const tokens = [{ pattern: '<mask>', lstrip: true, rstrip: false }];
  const cutAt = (text: string, target: number) => new CutFinder(text, tokens).next(target);
  assert.equal(cutAt('ab<mask>cd', 3), 9, 'not inside <mask>, nor at its ends');
  assert.equal(cutAt('ab\r\ncd', 3), 4, 'not between CR and LF');
  assert.equal(cutAt('a\r\r\rb', 2), 2, 'between two CRs');
  assert.equal(cutAt('👍🏽👍🏽', 1), 4, 'between a skin tone and the next emoji, not before the skin tone');
  assert.equal(clusters('👍🏽👍🏽').length, 2);
  assert.equal(cutAt('\u1100\u1161\u11a8\u1100\u1161\u11a8', 1), 3, 'decomposed Hangul: only before a leading jamo that follows a trailing one');
  assert.equal(cutAt('a e\u0301\u0302x', 3), 6, 'not before combining marks');
  assert.equal(cutAt('ab     <mask> cd', 3), 14, 'not in spaces an lstrip token swallows');
  assert.equal(cutAt('ab     cd', 3), 3, 'spaces followed by text can be cut');
  assert.equal(cutAt('a😀😀b', 2), 3, 'never between the halves of a surrogate pair');
  assert.equal(cutAt('abc', 10), 3, 'past the end: the text length');
  const accents = '\u0301'.repeat(20);
  assert.equal(cutAt('e' + accents, 3), 7, 'inside a long run of marks, 6 units from its start');
  assert.equal(cutAt('e' + accents + 'x', 15), 15, 'and 6 units before its end');
  assert.equal(cutAt('e' + accents + 'x', 16), 22, 'not closer to the end, nor between a mark and what follows');
  assert.equal(cutAt('a🇫🇷🇩🇪🇯🇵', 2), 5, 'between flags: an even number of regional indicators into the run');
  assert.equal(cutAt('a🇫🇷🇩🇪🇯🇵', 6), 9, 'not between the two halves of a flag');
  assert.equal(cutAt('😀' + accents + '\u200d😀', 4), 25, 'not when a joiner follows the run (the emoji sequence goes on)');
});

test('a skin-tone modifier always breaks from an admitted emoji after it', () => {
  const wrong: string[] = [];
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    const emoji = String.fromCodePoint(codePoint);
    if (!/^\p{Extended_Pictographic}$/u.test(emoji) || !alwaysBreaksAround(emoji)) continue;
    for (const modifier of ['🏻', '🏽', '🏿']) {
      if (clusters('👍' + modifier + emoji).length !== 2) wrong.push(`U+${codePoint.toString(16).toUpperCase()} after ${modifier}`);
    }
  }
  assert.deepEqual(wrong.slice(0, 20), []);
});
