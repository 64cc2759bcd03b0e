/**
 * The two Unigram corrections, on a tiny hand-made vocabulary where they change the result,
 * checked against the oracle reading the same tokenizer.json:
 *  - a literal "<unk>" in the text is a vocab piece with its own score (0 here), so it beats
 *    spelling the word out; the JS model would score it with the unknown penalty instead;
 *  - unknown characters fuse into one <unk> within a word but not across words.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { smallUnigram } from '../../helpers/tokenizer/small-unigram.ts';

const vocab: [string, number][] = [
  ['<s>', 0],
  ['<pad>', 0],
  ['</s>', 0],
  ['<unk>', 0],
  ['▁', -1],
  ['<', -1],
  ['u', -1],
  ['n', -1],
  ['k', -1],
  ['>', -1],
  ['a', -1],
  ['▁a', -1.5],
];
const { json, path, dir } = smallUnigram(vocab, 'unigram');
after(() => rmSync(dir, { recursive: true, force: true }));

test('literal <unk> piece and unknown-character fusion match the oracle', async () => {
  const oracle = new RustOracle(path);
  const tokenizer = BgeTokenizer.fromJson(json);
  const cases = ['<unk>', 'a<unk>a', '<unk><unk>', 'zzz', 'a zz zz a', 'zz<unk>zz', '<un k>', ''];
  for (const text of cases) {
    assert.deepEqual(tokenizer.encode(text, 100).ids, await oracle.ids(text), JSON.stringify(text));
  }
  // The literal piece wins: ▁ + <unk>, not ▁ < u n k >.
  assert.deepEqual(tokenizer.encode('<unk>', 100).ids, [0, 4, 3, 2]);
  // Three unknown characters fuse into one <unk> per word, words stay separate.
  assert.deepEqual(tokenizer.encode('zzz zzz', 100).ids, [0, 4, 3, 4, 3, 2]);
});
