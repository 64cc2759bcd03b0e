// One long text against a real server: /health-check answers while the text is being
// tokenized (not only between texts), the prediction then succeeds with the right counts,
// and a request over the character limit is a 422 naming the text, before any work.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BgeTokenizer, type Encoding } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const CJK_WORD = '自然语言处理是人工智能的一个重要方向'.repeat(120_000); // 2.16 million characters, no space
const UNKNOWN_WORD = 'x'.repeat(2_000_000); // letters the fixture vocabulary lacks: one fused <unk>

let s: RunningServer;
const encodeSteps = BgeTokenizer.prototype.encodeSteps;
/** Set once the CJK word's tokenization has taken its first step; it then waits for `resume`. */
let insideLongText = false;
let resume = false;
let tokenizing = 0;

before(async () => {
  s = await startTestServer({ weights: await officialWeights() });
  await waitForHealth(s.url, ['READY']);
  // Wraps the real steps: after the first chunk of the long word, it idles (still inside that
  // text) until the test has seen /health-check answer. Without yielding inside a text, the
  // server could not answer, and the test would time out.
  BgeTokenizer.prototype.encodeSteps = function* (this: BgeTokenizer, text: string, maxLength: number): Generator<void, Encoding> {
    tokenizing++;
    try {
      const inner = encodeSteps.call(this, text, maxLength);
      let step = inner.next();
      if (text === CJK_WORD && !step.done) {
        insideLongText = true;
        while (!resume) yield;
      }
      for (; !step.done; step = inner.next()) yield;
      return step.value;
    } finally {
      tokenizing--;
    }
  };
});

after(async () => {
  BgeTokenizer.prototype.encodeSteps = encodeSteps;
  await s.close();
});

test('/health-check answers while one long word is tokenized; the prediction then succeeds', async () => {
  assert.equal((await new RustOracle(TOKENIZER_JSON).ids('x'.repeat(5000))).length, 4, 'the fixture fuses unknown x into one <unk>');
  const prediction = call(s.url, 'POST', '/predictions', { input: { texts: [CJK_WORD, UNKNOWN_WORD], max_length: 8192, return_sparse: false } });
  let done = false;
  void prediction.finally(() => (done = true));
  await eventually('the long word in tokenization', () => (insideLongText ? true : undefined), 60_000);
  const health = await call(s.url, 'GET', '/health-check');
  assert.equal(health.status, 200);
  assert.ok(['READY', 'BUSY'].includes(health.body.status), `health ${JSON.stringify(health.body)}`);
  assert.equal(tokenizing, 1, 'the answer came while the word was still being tokenized');
  resume = true;
  let answered = 1;
  while (!done) {
    assert.equal((await call(s.url, 'GET', '/health-check')).status, 200);
    answered++;
  }
  const r = await prediction;
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.body.status, 'succeeded');
  assert.deepEqual(r.body.output.token_counts, [8192, 4]);
  assert.deepEqual(r.body.output.truncated, [true, false]);
  assert.equal(r.body.output.dense_vecs.length, 2);
  assert.ok(answered >= 1);
});

test('texts over BGE_M3_MAX_REQUEST_CHARS: 422 at the text that passes it, nothing tokenized', async (t) => {
  const saved = process.env.BGE_M3_MAX_REQUEST_CHARS;
  process.env.BGE_M3_MAX_REQUEST_CHARS = '1000';
  t.after(() => {
    if (saved === undefined) delete process.env.BGE_M3_MAX_REQUEST_CHARS;
    else process.env.BGE_M3_MAX_REQUEST_CHARS = saved;
  });
  const before = tokenizing;
  const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'.repeat(600), 'b'.repeat(600), 'c'] } });
  assert.equal(r.status, 422);
  assert.deepEqual(
    r.body.detail.map((d: { loc: unknown }) => d.loc),
    [['body', 'input', 'texts', 1]],
  );
  assert.match(
    r.body.detail[0].msg,
    /texts\[1\] brings the request to 1200 characters, over the limit of 1000 characters per request \(BGE_M3_MAX_REQUEST_CHARS\)/,
  );
  assert.equal(tokenizing, before);
});
