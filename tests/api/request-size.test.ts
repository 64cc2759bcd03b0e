// The per-request character limit: texts plus query beyond BGE_M3_MAX_REQUEST_CHARS are
// refused by validation (so by the server and the CLI alike), naming the limit and the text.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { InputValidationError } from '../../src/api/errors.ts';
import { validateInput } from '../../src/api/input.ts';
import { DEFAULT_MAX_REQUEST_CHARS, maxRequestChars } from '../../src/api/request-size.ts';

const saved = process.env.BGE_M3_MAX_REQUEST_CHARS;
afterEach(() => {
  if (saved === undefined) delete process.env.BGE_M3_MAX_REQUEST_CHARS;
  else process.env.BGE_M3_MAX_REQUEST_CHARS = saved;
});

function rejection(raw: unknown): InputValidationError {
  try {
    validateInput(raw);
  } catch (err) {
    assert.ok(err instanceof InputValidationError);
    return err;
  }
  assert.fail('expected a rejection');
}

test('the text where the running total passes the limit is named, with the limit', () => {
  process.env.BGE_M3_MAX_REQUEST_CHARS = '10';
  const { issues } = rejection({ texts: ['aaaa', 'bbbb', 'cccc', 'dddd'] });
  assert.equal(issues.length, 1);
  assert.deepEqual(issues[0].loc, ['texts', 2]);
  assert.equal(issues[0].field, 'texts');
  assert.match(issues[0].message, /texts\[2\] brings the request to 12 characters, over the limit of 10 characters per request \(BGE_M3_MAX_REQUEST_CHARS\)/);
});

test('the query counts too, after the texts', () => {
  process.env.BGE_M3_MAX_REQUEST_CHARS = '10';
  const { issues } = rejection({ texts: ['aaaa', 'bbbb'], query: 'ccc' });
  assert.deepEqual(issues[0].loc, ['query']);
  assert.match(issues[0].message, /query brings the request to 11 characters/);
});

test('exactly at the limit is accepted', () => {
  process.env.BGE_M3_MAX_REQUEST_CHARS = '10';
  assert.deepEqual(validateInput({ texts: ['aaaa', 'bbbb'], query: 'cc' }).texts, ['aaaa', 'bbbb']);
});

test('the default admits a 10 MB text and refuses one past it', () => {
  delete process.env.BGE_M3_MAX_REQUEST_CHARS;
  assert.equal(maxRequestChars(), DEFAULT_MAX_REQUEST_CHARS);
  assert.ok(DEFAULT_MAX_REQUEST_CHARS >= 10_000_000);
  assert.equal(validateInput({ texts: ['x'.repeat(10_000_000)] }).texts.length, 1);
  const { issues } = rejection({ texts: ['a', 'x'.repeat(DEFAULT_MAX_REQUEST_CHARS)] });
  assert.deepEqual(issues[0].loc, ['texts', 1]);
});

test('a malformed BGE_M3_MAX_REQUEST_CHARS is an error that names it', () => {
  for (const bad of ['0', '-5', '1.5', 'lots']) {
    assert.throws(() => maxRequestChars({ BGE_M3_MAX_REQUEST_CHARS: bad }), new RegExp(`BGE_M3_MAX_REQUEST_CHARS must be a positive integer, got "${bad}"`));
  }
});
