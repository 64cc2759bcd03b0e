// BGE-M3's named facts agree with what states them elsewhere: the special ids
// with a tokenizer.json in BGE-M3's (XLM-R's) layout, the position limit with
// the prediction schema's max_length bounds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inputSchema } from '../../src/api/schema.ts';
import { BOS_ID, EOS_ID, MAX_POSITION_TOKENS, PAD_ID, UNK_ID } from '../../src/engine/model-facts.ts';
import { TOKENIZER_JSON } from '../helpers/tokenizer/fixture-paths.ts';

test('the special ids are those tokenizer.json gives <s>, <pad>, </s> and <unk>', () => {
  const { added_tokens } = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8')) as { added_tokens: { id: number; content: string }[] };
  const idOf = (content: string) => added_tokens.find((t) => t.content === content)?.id;
  assert.deepEqual([idOf('<s>'), idOf('<pad>'), idOf('</s>'), idOf('<unk>')], [BOS_ID, PAD_ID, EOS_ID, UNK_ID]);
});

test("the schema's max_length goes up to the position limit, its default", () => {
  const maxLength = inputSchema.properties.max_length;
  assert.deepEqual([maxLength.maximum, maxLength.default], [MAX_POSITION_TOKENS, MAX_POSITION_TOKENS]);
});
