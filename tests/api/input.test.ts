import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputValidationError, type InputIssue } from '../../src/api/errors.ts';
import { coerceCogInput, validateInput } from '../../src/api/input.ts';

function issues(raw: unknown): InputIssue[] {
  try {
    validateInput(raw);
  } catch (err) {
    assert.ok(err instanceof InputValidationError);
    return err.issues;
  }
  assert.fail(`expected ${JSON.stringify(raw)} to be rejected`);
}

test("defaults are applied and the caller's object is left alone", () => {
  const raw = { texts: ['hi'] };
  const input = validateInput(raw);
  assert.deepEqual(input, {
    texts: ['hi'],
    max_length: 8192,
    return_dense: true,
    return_sparse: true,
    return_colbert: false,
    score_weights: [0.4, 0.2, 0.4],
    sparse_format: 'dict',
    vector_encoding: 'float',
    vector_type: 'float32',
    colbert_pool_factor: 1,
    score_compact: false,
    chunk_tokens: 0,
    chunk_overlap: 0,
    dense_pooling: 'cls',
    chunk_context: 'none',
  });
  assert.deepEqual(raw, { texts: ['hi'] });
});

const BAD: [string, unknown, string, RegExp][] = [
  ['no texts', {}, 'texts', /texts is required/],
  ['empty texts', { texts: [] }, 'texts', /at least 1 item/],
  ['a non-string text', { texts: ['a', 3] }, 'texts', /texts\[1\] must be a string \(got number 3\)/],
  ['texts as a string', { texts: 'hello' }, 'texts', /texts must be an array/],
  ['max_length 0', { texts: ['a'], max_length: 0 }, 'max_length', /at least 1 \(got number 0\)/],
  [
    'an unknown sparse_format',
    { texts: ['a'], sparse_format: 'sparse' },
    'sparse_format',
    /^sparse_format must be one of "dict", "indices_values", "tokens" \(got "sparse"\)$/,
  ],
  [
    'a vector_encoding of the wrong case',
    { texts: ['a'], vector_encoding: 'Base64' },
    'vector_encoding',
    /^vector_encoding must be one of "float", "base64" \(got "Base64"\)$/,
  ],
  ['max_length 9000', { texts: ['a'], max_length: 9000 }, 'max_length', /at most 8192 \(got number 9000\)/],
  ['max_length not an integer', { texts: ['a'], max_length: 2.5 }, 'max_length', /must be an integer/],
  ['a string boolean', { texts: ['a'], return_dense: 'yes' }, 'return_dense', /must be a boolean/],
  ['two score weights', { texts: ['a'], score_weights: [1, 2] }, 'score_weights', /at least 3 items/],
  ['negative score weight', { texts: ['a'], score_weights: [1, -2, 1] }, 'score_weights', /score_weights\[1\] must be at least 0/],
  ['zero score weights', { texts: ['a'], score_weights: [0, 0, 0] }, 'score_weights', /must not all be 0/],
  ['query not a string', { texts: ['a'], query: 5 }, 'query', /query must be a string/],
  ['too many texts', { texts: Array(1025).fill('a') }, 'texts', /at most 1024 items/],
  ['sparse_top_k 0', { texts: ['a'], sparse_top_k: 0 }, 'sparse_top_k', /^sparse_top_k must be at least 1 \(got number 0\)$/],
  ['a negative sparse_top_k', { texts: ['a'], sparse_top_k: -3 }, 'sparse_top_k', /^sparse_top_k must be at least 1 \(got number -3\)$/],
  ['sparse_top_k not an integer', { texts: ['a'], sparse_top_k: 2.5 }, 'sparse_top_k', /^sparse_top_k must be an integer \(got number 2.5\)$/],
  [
    'a negative sparse_min_weight',
    { texts: ['a'], sparse_min_weight: -0.1 },
    'sparse_min_weight',
    /^sparse_min_weight must be at least 0 \(got number -0.1\)$/,
  ],
  [
    'an infinite sparse_min_weight',
    { texts: ['a'], sparse_min_weight: JSON.parse('1e309') },
    'sparse_min_weight',
    /^sparse_min_weight must be a finite number at least 0 \(got Infinity\).*leave it out/,
  ],
  ['sparse_min_weight as text', { texts: ['a'], sparse_min_weight: 'high' }, 'sparse_min_weight', /must be a number \(got "high"\)/],
  ['colbert_pool_factor 0', { texts: ['a'], colbert_pool_factor: 0 }, 'colbert_pool_factor', /^colbert_pool_factor must be at least 1 \(got number 0\)$/],
  [
    'colbert_pool_factor not an integer',
    { texts: ['a'], colbert_pool_factor: 1.5 },
    'colbert_pool_factor',
    /^colbert_pool_factor must be an integer \(got number 1.5\)$/,
  ],
  ['score_compact as text', { texts: ['a'], score_compact: 'maybe' }, 'score_compact', /must be a boolean/],
];

for (const [name, raw, field, message] of BAD) {
  test(`rejects ${name}, naming the field and the reason`, () => {
    const found = issues(raw);
    assert.ok(
      found.some((i) => i.field === field && message.test(i.message)),
      JSON.stringify(found),
    );
  });
}

test('an unknown key is named, with the list of valid ones', () => {
  const [issue] = issues({ texts: ['a'], return_colbert_vecs: true });
  assert.equal(issue.field, 'return_colbert_vecs');
  assert.equal(issue.type, 'value_error.extra');
  assert.match(
    issue.message,
    /unknown input "return_colbert_vecs"; valid inputs are: texts, max_length, return_dense, return_sparse, return_colbert, query, score_weights/,
  );
});

test('every problem is reported at once, with its location', () => {
  const found = issues({ texts: [1], max_length: 0 });
  assert.deepEqual(
    found.map((i) => i.loc),
    [['texts', 0], ['max_length']],
  );
});

test('a non-object input is rejected as a whole', () => {
  for (const raw of [[1], 'text', 3]) {
    const [issue] = issues(raw);
    assert.equal(issue.field, null);
    assert.match(issue.message, /input must be a JSON object/);
  }
});

test('Cog CLI strings are coerced by schema type', () => {
  const out = coerceCogInput({
    texts: '["a","b"]',
    return_colbert: 'true',
    return_dense: 'False',
    max_length: '512',
    score_weights: '[1, "0.5", 2]',
    query: '42',
  });
  assert.deepEqual(out, { texts: ['a', 'b'], return_colbert: true, return_dense: false, max_length: 512, score_weights: [1, 0.5, 2], query: '42' });
  assert.deepEqual(coerceCogInput({ texts: 'just one' }), { texts: ['just one'] });
  assert.deepEqual(coerceCogInput({ texts: '[not json' }), { texts: ['[not json'] });
});

test('values that do not coerce are left for validation to report', () => {
  const out = coerceCogInput({ texts: ['a'], max_length: '12.5', return_sparse: 'maybe', unknown: 'x' });
  assert.deepEqual(out, { texts: ['a'], max_length: '12.5', return_sparse: 'maybe', unknown: 'x' });
  const fields = issues(out).map((i) => i.field);
  assert.deepEqual(fields.sort(), ['max_length', 'return_sparse', 'unknown']);
});
