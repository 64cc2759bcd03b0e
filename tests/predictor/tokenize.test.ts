// predict() tokenizes in slices, yielding to the event loop between them, also
// inside one long text: a large request neither holds the loop for its whole
// tokenization nor keeps tokenizing after it was canceled.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';

const LONG = 'Dense retrieval maps every passage to a single vector, while sparse retrieval keeps lexical weights. '.repeat(60);
const COUNT = 40;

/** One "word" of 3 million characters the fixture vocabulary does not know: its single fused <unk> is only known at its end. */
const HUGE_WORD = 'x'.repeat(3_000_000);

let predictor: Predictor;
/** Texts whose tokenization started, and steps (chunks) taken in all of them. */
let encodes = 0;
let steps = 0;
const encodeSteps = BgeTokenizer.prototype.encodeSteps;

before(async () => {
  predictor = new Predictor();
  await predictor.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
  BgeTokenizer.prototype.encodeSteps = function* (this: BgeTokenizer, text: string, maxLength: number) {
    encodes++;
    const inner = encodeSteps.call(this, text, maxLength);
    for (let step = inner.next(); ; step = inner.next()) {
      if (step.done) return step.value;
      steps++;
      yield;
    }
  };
});

after(async () => {
  BgeTokenizer.prototype.encodeSteps = encodeSteps;
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

test('other work runs while one long text is being tokenized', async () => {
  steps = 0;
  let seenAt = -1;
  setImmediate(() => (seenAt = steps));
  const out = await predictor.predict({ texts: [HUGE_WORD], return_sparse: false });
  assert.deepEqual(out.token_counts, [4], '<s> ▁ <unk> </s>: the unknown characters fuse into one <unk>');
  assert.deepEqual(out.truncated, [false]);
  assert.ok(seenAt > 0 && seenAt < steps, `a callback queued before predict() ran after ${seenAt} of ${steps} steps of the one text`);
});

test('a prediction canceled while one long text is tokenized stops inside that text', async () => {
  steps = 0;
  const ac = new AbortController();
  setImmediate(() => ac.abort());
  await assert.rejects(predictor.predict({ texts: [HUGE_WORD] }, { signal: ac.signal }), { name: 'AbortError' });
  assert.ok(steps < HUGE_WORD.length / 1024 / 2, `took ${steps} steps of a ~${HUGE_WORD.length / 1024}-step text after the cancel`);
});
