// sparse_format and vector_encoding over HTTP, on the real Predictor with the
// generated test model: every combination on /predictions and /v1/predictions
// decodes to the default output exactly; a bad value is a Cog 422 naming the
// valid values; /openapi.json offers the choices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { asFloatOutput, type FloatOutput } from '../../../src/api/output-formats.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { assertRoundTrip } from '../../helpers/format-round-trip.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const TEXTS = ['Prices fell 50% today, then 3.5% more. Really.', 'It costs 5.5 or 5 or 0.5 dollars', 'e.g. www.example.com and 中文'];

describe('output formats over HTTP', () => {
  let s: RunningServer;
  let base: FloatOutput;

  before(async () => {
    s = await startTestServer({ weights: await officialWeights() });
    await waitForHealth(s.url, ['READY']);
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: TEXTS, return_colbert: true } });
    assert.equal(r.status, 200, r.text);
    base = asFloatOutput(r.body.output);
  });

  after(() => s?.close());

  for (const path of ['/predictions', '/v1/predictions']) {
    for (const input of [
      { sparse_format: 'indices_values', vector_encoding: 'base64' },
      { sparse_format: 'tokens', vector_encoding: 'float' },
      { sparse_format: 'dict', vector_encoding: 'base64' },
    ]) {
      test(`${path} with ${JSON.stringify(input)} decodes to the default output`, async () => {
        const r = await call(s.url, 'POST', path, { input: { texts: TEXTS, return_colbert: true, ...input } }, { prefer: 'wait' });
        assert.equal(r.status, path === '/predictions' ? 200 : 201, r.text);
        assert.equal(r.body.status, 'succeeded');
        assertRoundTrip(r.body.output, base, input);
      });
    }
  }

  test("an unknown sparse_format is a 422 in Cog's shape that lists the valid values", async () => {
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'], sparse_format: 'qdrant' } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.detail, [
      {
        loc: ['body', 'input', 'sparse_format'],
        msg: 'sparse_format must be one of "dict", "indices_values", "tokens" (got "qdrant")',
        type: 'type_error.enum',
      },
    ]);
  });

  test("/openapi.json offers both inputs as choices, in Cog's layout for Input(choices=[...])", async () => {
    const { schemas } = (await call(s.url, 'GET', '/openapi.json')).body.components;
    for (const [name, values, dflt] of [
      ['sparse_format', ['dict', 'indices_values', 'tokens'], 'dict'],
      ['vector_encoding', ['float', 'base64'], 'float'],
    ] as const) {
      const prop = schemas.Input.properties[name];
      assert.deepEqual(prop.allOf, [{ $ref: `#/components/schemas/${name}` }]);
      assert.equal(prop.default, dflt);
      assert.equal(prop.type, undefined, 'the type lives in the component');
      assert.deepEqual(schemas[name], { title: name, description: 'An enumeration.', enum: values, type: 'string' });
    }
  });
});
