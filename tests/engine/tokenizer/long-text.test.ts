/**
 * Long inputs against the oracle. BgeTokenizer encodes word by word (split before every "▁"),
 * which must equal encoding the whole text because no Unigram piece spans a "▁" except at its
 * start; these texts of thousands of tokens check that claim, and truncation at 8192.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { buildCorpus } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';

const oracle = new RustOracle(TOKENIZER_JSON);
const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const lines = buildCorpus().split('\n');

const LONG_TEXTS: Record<string, string> = {
  'mixed scripts, spaces and newlines': lines
    .filter((_, i) => i % 9 === 0)
    .join(' \n\t ')
    .slice(0, 60_000),
  'CJK and Thai without spaces': lines
    .filter((line) => /[\u3040-\u30ff\u4e00-\u9fff\u0e00-\u0e7f]/.test(line))
    .join('')
    .replace(/\s+/g, '')
    .slice(0, 25_000),
  'one 12,000-character word': 'Supercalifragilisticexpialidocious'.repeat(353),
  'stacked combining marks and emoji': 'e\u0301\u0302\u0303 👨‍👩‍👧‍👦 ﾊﾟﾋﾟ '.repeat(1500),
};

for (const [name, text] of Object.entries(LONG_TEXTS)) {
  test(`long text (${name}): ids and 8192-token truncation equal the oracle`, async () => {
    const expected = await oracle.ids(text);
    assert.ok(expected.length > 8192, `the ${name} text should exceed 8192 tokens (has ${expected.length})`);
    assert.deepEqual(tokenizer.encode(text, expected.length).ids, expected);
    const truncated = tokenizer.encode(text, 8192);
    assert.deepEqual(truncated.ids, await oracle.truncatedIds(text, 8192));
    assert.equal(truncated.truncated, true);
  });
}
