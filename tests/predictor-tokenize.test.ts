// predict() tokenizes in slices, yielding to the event loop between them: a
// large request neither holds the loop for its whole tokenization nor keeps
// tokenizing after it was canceled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Predictor } from '../predict.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { ensureTestModels } from './helpers/test-models.ts';

const LONG = 'Dense retrieval maps every passage to a single vector, while sparse retrieval keeps lexical weights. '.repeat(60);
const COUNT = 40;

let predictor: Predictor;
let encodes = 0;
const encode = BgeTokenizer.prototype.encode;

before(async () => {
  predictor = new Predictor();
  await predictor.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
  BgeTokenizer.prototype.encode = function (this: BgeTokenizer, text: string, maxLength: number) {
    encodes++;
    return encode.call(this, text, maxLength);
  };
});

after(async () => {
  BgeTokenizer.prototype.encode = encode;
  await predictor.close();
});

test('other work runs while a large request is being tokenized', async () => {
  encodes = 0;
  let seenAt = -1;
  setImmediate(() => (seenAt = encodes));
  const out = await predictor.predict({ texts: Array(COUNT).fill(LONG), return_sparse: false });
  assert.equal(out.token_counts.length, COUNT);
  assert.ok(seenAt > 0 && seenAt < COUNT, `a callback queued before predict() ran after ${seenAt} of ${COUNT} texts were tokenized`);
});

test('a prediction canceled while its texts are tokenized stops tokenizing', async () => {
  encodes = 0;
  const ac = new AbortController();
  setImmediate(() => ac.abort());
  await assert.rejects(predictor.predict({ texts: Array(COUNT).fill(LONG) }, { signal: ac.signal }), { name: 'AbortError' });
  assert.ok(encodes < COUNT, `tokenized ${encodes} of ${COUNT} texts after the cancel`);
});
