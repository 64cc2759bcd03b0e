// sparse_format and vector_encoding: each shape decodes back to exactly the
// default dict/float output, on hand-made data and through the Predictor on
// the generated test model. The tokens oracle groups the dict output by its
// own lexical_tokens, independently of the escaping code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { InputValidationError } from '../../src/api/errors.ts';
import { asFloatOutput, fromIndicesValues, toIndicesValues, tokenFromKey, tokenKey, toTokenWeights, type FloatOutput } from '../../src/api/output-formats.ts';
import { assertRoundTrip, groupedByText } from '../helpers/format-round-trip.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';

describe('the shape functions', () => {
  test('indices_values lists ids in numeric order with their weights, and inverts exactly', () => {
    const dict = { '10': 0.5, '9': 0.25, '250001': 1.5, '100': 0.125 };
    const iv = toIndicesValues(dict);
    assert.deepEqual(iv, { indices: [9, 10, 100, 250001], values: [0.25, 0.5, 0.125, 1.5] });
    assert.deepEqual(fromIndicesValues(iv), dict);
    assert.deepEqual(toIndicesValues({}), { indices: [], values: [] });
  });

  test('token keys: no dot, never empty, and each decodes back to its text', () => {
    const cases: [string, string][] = [
      ['hello', 'hello'],
      ['.', '%2E'],
      ['e.g.', 'e%2Eg%2E'],
      ['50%', '50%25'],
      ['%2E', '%252E'],
      ['', '\u2581'],
      [' x ', ' x '],
    ];
    for (const [text, key] of cases) {
      assert.equal(tokenKey(text), key, JSON.stringify(text));
      assert.equal(tokenFromKey(key), text, JSON.stringify(key));
    }
  });

  test('ids with the same text keep their largest weight; __proto__ stays an ordinary key', () => {
    const texts: Record<number, string> = { 7: 'the', 8: 'the', 9: '.', 10: '__proto__', 11: '' };
    const out = toTokenWeights({ '7': 0.25, '8': 0.75, '9': 0.5, '10': 0.125, '11': 2 }, (id) => texts[id]);
    assert.deepEqual(Object.entries(out).sort(), [
      ['%2E', 0.5],
      ['__proto__', 0.125],
      ['the', 0.75],
      ['\u2581', 2],
    ]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  test('asFloatOutput refuses an output in another shape', () => {
    const base = { token_counts: [2], truncated: [false] };
    assert.throws(() => asFloatOutput({ ...base, dense_vecs: ['AACAPw=='] }), /not in the default/);
    assert.throws(() => asFloatOutput({ ...base, lexical_weights: [{ indices: [5], values: [1] }] }), /not in the default/);
    assert.equal(asFloatOutput({ ...base, dense_vecs: [[1]] }).dense_vecs![0][0], 1);
  });
});

// "50" starts a word (▁5) and "3.5" does not (5): two ids with the text "5".
const TEXTS = ['Prices fell 50% today, then 3.5% more. Really.', 'It costs 5.5 or 5 or 0.5 dollars', 'e.g. www.example.com and 中文', 'plain words only'];

describe('through the Predictor on the generated model', () => {
  let p: Predictor;
  let base: FloatOutput;
  const common = { texts: TEXTS, return_colbert: true };

  before(async () => {
    p = new Predictor();
    await p.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
    base = asFloatOutput(await p.predict(common));
  });

  after(() => p.close());

  test('the defaults are the dict/float output', async () => {
    assert.deepEqual(await p.predict({ ...common, sparse_format: 'dict', vector_encoding: 'float' }), base);
  });

  for (const sparse_format of ['dict', 'indices_values', 'tokens']) {
    for (const vector_encoding of ['float', 'base64']) {
      test(`sparse_format ${sparse_format}, vector_encoding ${vector_encoding} decode to the default output exactly`, async () => {
        const input = { ...common, sparse_format, vector_encoding };
        assertRoundTrip(await p.predict(input), base, input);
      });
    }
  }

  test('the texts exercise the tokens rules: a merge, an escaped dot and percent, the bare word start', async () => {
    const out = await p.predict({ ...common, sparse_format: 'tokens' });
    const keys = out.lexical_weights!.flatMap((l) => Object.keys(l));
    for (const k of ['%2E', '%25', '\u2581']) assert.ok(keys.includes(k), `some text has the key ${k}`);
    const merged = base.lexical_weights!.some((l) => groupedByText(l, base.lexical_tokens!).size < Object.keys(l).length);
    assert.ok(merged, 'some text has two ids with the same text');
  });

  test('scores do not depend on the formats', async () => {
    const a = await p.predict({ texts: TEXTS, query: 'fell today' });
    const b = await p.predict({ texts: TEXTS, query: 'fell today', sparse_format: 'tokens', vector_encoding: 'base64' });
    assert.deepEqual(b.scores, a.scores);
  });

  test('an unknown format is refused with the valid values', async () => {
    await assert.rejects(
      p.predict({ texts: ['a'], sparse_format: 'csv' }),
      (err: unknown) => err instanceof InputValidationError && err.message === 'sparse_format must be one of "dict", "indices_values", "tokens" (got "csv")',
    );
    await assert.rejects(
      p.predict({ texts: ['a'], vector_encoding: 16 }),
      (err: unknown) =>
        err instanceof InputValidationError && err.issues.length === 1 && err.message === 'vector_encoding must be one of "float", "base64" (got number 16)',
    );
  });
});
