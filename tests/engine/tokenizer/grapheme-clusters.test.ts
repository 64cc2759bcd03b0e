/**
 * The windowed grapheme segmentation must give exactly the clusters Intl.Segmenter gives on the
 * whole string, including clusters that straddle window edges or are longer than a window.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphemeClusters } from '../../../src/engine/tokenizer/grapheme-clusters.ts';
import { CURATED, generatedStrings } from '../../helpers/tokenizer/test-strings.ts';

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const reference = (text: string) => Array.from(segmenter.segment(text), (s) => s.segment);

const STRINGS: Record<string, string> = {
  'regional indicators across window edges': '🇫🇷🇩🇪🇯🇵'.repeat(100) + '🇦' + 'x🇺🇸'.repeat(50),
  'ZWJ emoji across window edges': 'a👨‍👩‍👧‍👦'.repeat(120),
  'one cluster longer than several windows': 'e' + '\u0301'.repeat(1000) + 'x',
  'CRLF pairs at every offset': 'ab\r\n'.repeat(300) + '\r\r\n\n',
  'half-width kana with voicing marks': 'ﾊﾟﾋﾟﾌﾟｶﾞ'.repeat(200),
  'indic conjuncts': 'क्षत्रिय ज्ञान '.repeat(100),
  'surrogate pairs at window edges': 'a' + '😀'.repeat(400),
  'curated and generated strings joined': [...CURATED, ...generatedStrings(300, 5)].join(''),
};

for (const [name, text] of Object.entries(STRINGS)) {
  test(`windowed clusters equal Intl.Segmenter: ${name}`, () => {
    assert.deepEqual([...graphemeClusters(text)], reference(text));
  });
}

test('empty string has no clusters', () => {
  assert.deepEqual([...graphemeClusters('')], []);
});
