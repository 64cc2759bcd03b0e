// The Predictor's client errors: one class the server recognises with
// instanceof, whatever refused the request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientError, EmbedInputError, InputValidationError } from '../../src/api/errors.ts';
import { validateInput } from '../../src/api/input.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('an invalid input is a ClientError of kind invalid_input carrying every issue', () => {
  const err = thrown(() => validateInput({ texts: [], batch: 1 }));
  assert.ok(err instanceof ClientError);
  assert.ok(err instanceof InputValidationError);
  assert.equal(err.kind, 'invalid_input');
  assert.equal(err.index, null);
  assert.ok(err.issues.length >= 2, JSON.stringify(err.issues));
  assert.equal(err.message, err.issues.map((i) => i.message).join('; '));
});

test('an embed refusal is a ClientError whose kind is its problem and whose index names the input', () => {
  const err = new EmbedInputError('it has 9000 tokens', 'too_long', 3);
  assert.ok(err instanceof ClientError);
  assert.equal(err.kind, 'too_long');
  assert.equal(err.problem, 'too_long');
  assert.equal(err.index, 3);
  assert.deepEqual(err.issues, []);
});

test('an output too large to return says so in its kind', () => {
  const err = new InputValidationError(
    [{ field: 'return_colbert', loc: ['return_colbert'], type: 'value_error', message: 'too many vectors' }],
    'output_too_large',
  );
  assert.equal(err.kind, 'output_too_large');
  assert.equal(err.message, 'too many vectors');
});
