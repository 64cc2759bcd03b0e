/**
 * Optional check against the real BAAI/bge-m3 tokenizer.json (17 MB, 250002 ids), which cannot
 * be downloaded on the development and CI machines. Run it where the file exists:
 *   BGE_M3_TOKENIZER_JSON=/path/to/tokenizer.json node --import tsx --test tests/engine/tokenizer/real-tokenizer.test.ts
 * Expected ids are the published ones quoted in FlagEmbedding's and tokenizers.js' examples.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { CURATED, generatedStrings } from '../../helpers/tokenizer/test-strings.ts';

const path = process.env.BGE_M3_TOKENIZER_JSON;
const skip = path ? false : 'set BGE_M3_TOKENIZER_JSON to the real BAAI/bge-m3 tokenizer.json to run';

test('real bge-m3 tokenizer: published ids, token texts and oracle parity', { skip }, async () => {
  const tokenizer = await BgeTokenizer.fromFile(path!);
  assert.equal(tokenizer.vocabSize, 250002);
  const published: [string, number[]][] = [
    ['What is BGE M3?', [0, 4865, 83, 335, 11679, 276, 363, 32, 2]],
    ['Hello world!', [0, 35378, 8999, 38, 2]],
    ['What is the capital of France?', [0, 4865, 83, 70, 10323, 111, 9942, 32, 2]],
    ['Hi  Hello', [0, 2673, 35378, 2]],
    ['trailing space   ', [0, 141037, 214, 32628, 6, 2]],
  ];
  for (const [text, ids] of published) assert.deepEqual(tokenizer.encode(text, 8192).ids, ids, text);
  assert.equal(tokenizer.tokenText(4865), 'What');
  assert.equal(tokenizer.tokenText(250001), '<mask>');

  const oracle = new RustOracle(path!);
  const mismatches = [];
  for (const text of [...CURATED, ...generatedStrings(200)]) {
    const expected = await oracle.ids(text);
    const actual = tokenizer.encode(text, 1_000_000).ids;
    if (expected.join() !== actual.join()) mismatches.push({ text, expected, actual });
  }
  assert.deepEqual(mismatches, []);
});
