// The length and token-id rules of the OpenAI and TEI embed calls
// (src/api/embed-request.ts), on the fixture tokenizer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEmbedInputs, MAX_INPUT_TOKENS, type EmbedRequest } from '../../src/api/embed-request.ts';
import { EmbedInputError } from '../../src/api/errors.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { TOKENIZER_JSON } from '../helpers/tokenizer/fixture-paths.ts';

const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
const encodeTexts = async (texts: string[], maxLength: number) => texts.map((t) => tokenizer.encode(t, maxLength));
const run = (inputs: EmbedRequest['inputs'], more: Partial<EmbedRequest> = {}) =>
  encodeEmbedInputs(tokenizer, { inputs, truncate: false, dense: true, sparse: false, ...more }, encodeTexts);
const LONG = 'one more word '.repeat(4000);
const full = tokenizer.encode(LONG, Number.MAX_SAFE_INTEGER).ids;

test('texts and token-id arrays become <s> … </s> sequences; given <s> and </s> are kept, not doubled', async () => {
  const text = tokenizer.encode('hello world', 100).ids;
  const content = text.slice(1, -1);
  const out = await run(['hello world', content, text, [text[0], ...content], [...content, text.at(-1)!], []]);
  for (const e of out.slice(0, 5)) assert.deepEqual(e, { ids: text, truncated: false });
  assert.deepEqual(out[5].ids, [text[0], text.at(-1)]);
});

test('an over-long input is refused naming it; its length is exact for ids, "more than" for text', async () => {
  assert.ok(full.length > MAX_INPUT_TOKENS + 100);
  await assert.rejects(run(['ok', LONG]), (e: unknown) => {
    assert.ok(e instanceof EmbedInputError);
    assert.deepEqual([e.problem, e.index], ['too_long', 1]);
    assert.match(e.message, /more than 8192 tokens.*limit of 8192/);
    return true;
  });
  await assert.rejects(run([full.slice(1, -1)]), new RegExp(`it has ${full.length} tokens`));
});

test('truncate keeps the head (as /predictions) or, left, the tail', async () => {
  const [right] = await run([LONG], { truncate: true });
  assert.deepEqual(right, tokenizer.encode(LONG, MAX_INPUT_TOKENS));
  const [left] = await run([LONG], { truncate: true, truncationDirection: 'left' });
  assert.deepEqual(left.ids, [full[0], ...full.slice(full.length - MAX_INPUT_TOKENS + 1)]);
  assert.equal(left.truncated, true);
  const [ids] = await run([full], { truncate: true });
  assert.deepEqual(ids, right, 'an over-long id array truncates as its text does');
});

test('token ids outside the vocabulary and requests over the token budget are refused', async () => {
  await assert.rejects(
    run([[5, tokenizer.vocabSize]]),
    (e: unknown) => e instanceof EmbedInputError && e.problem === 'bad_token_id' && /position 1/.test(e.message),
  );
  await assert.rejects(run([[5, 1.5]]), /token id 1\.5/);
  await assert.rejects(
    run(['a b c', 'd e f'], { maxTotalTokens: 7 }),
    (e: unknown) => e instanceof EmbedInputError && e.problem === 'too_many_tokens' && e.index === null,
  );
});
