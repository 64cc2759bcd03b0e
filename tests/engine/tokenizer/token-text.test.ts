/**
 * tokenText(id) is what FlagEmbedding's convert_id_to_token shows: tokenizer.decode([id]).
 * Oracle: the Rust library's decode([id], skip_special_tokens=false) on every id.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { RustOracle } from '../../helpers/tokenizer/oracle.ts';

const json = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8'));
const vocab: [string, number][] = json.model.vocab;
const tokenizer = BgeTokenizer.fromJson(json);
const oracle = new RustOracle(TOKENIZER_JSON);

test('a piece with the word-start mark decodes without it', () => {
  const pieces = ['▁la', '▁entre', '▁'];
  for (const piece of pieces) {
    const id = vocab.findIndex(([text]) => text === piece);
    assert.ok(id > 0, `fixture vocab should contain ${piece}`);
    assert.equal(tokenizer.tokenText(id), piece.slice(1));
  }
});

test('special tokens decode to their own text', () => {
  assert.equal(tokenizer.tokenText(0), '<s>');
  assert.equal(tokenizer.tokenText(2), '</s>');
  assert.equal(tokenizer.tokenText(tokenizer.vocabSize - 1), '<mask>');
});

test("every id decodes like the Rust library's decode([id])", async () => {
  assert.equal(tokenizer.vocabSize, oracle.vocabSize);
  const mismatches = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const expected = await oracle.decode([id]);
    const actual = tokenizer.tokenText(id);
    if (actual !== expected) mismatches.push({ id, expected, actual });
  }
  assert.deepEqual(mismatches, []);
});

test('ids outside the vocabulary are rejected', () => {
  assert.throws(() => tokenizer.tokenText(tokenizer.vocabSize), /not in the vocabulary/);
  assert.throws(() => tokenizer.tokenText(-1), /not in the vocabulary/);
});
