// vector_type over HTTP, on the real Predictor with the generated test model:
// GET /calibration serves the ranges an int8 answer names by its hash, and a
// client quantizing with them (numpy here) gets the server's bytes; a bad
// vector_type is a Cog 422 naming the valid values.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Predictor } from '../../../predict.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { numpyMissing, numpyQuantize } from '../../helpers/quantize/numpy-oracle.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const TEXTS = ['Prices fell 50% today.', 'e.g. www.example.com and 中文'];
const skip = numpyMissing ? 'numpy not available (apt-get install python3-numpy)' : false;

describe('vector_type over HTTP', { skip }, () => {
  let s: RunningServer;

  before(async () => {
    const predictor = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
    s = await startTestServer({ weights: await officialWeights(), predictor });
    await waitForHealth(s.url, ['READY']);
  });

  after(() => s?.close());

  test('GET /calibration serves the ranges that int8 answers name and use', async () => {
    const cal = await call(s.url, 'GET', '/calibration');
    assert.equal(cal.status, 200, cal.text);
    assert.deepEqual(Object.keys(cal.body).sort(), ['colbert', 'dense', 'hash', 'set']);
    assert.equal(cal.body.set.name, 'bundled-multilingual-v1');
    const float = await call(s.url, 'POST', '/predictions', { input: { texts: TEXTS, return_colbert: true } });
    for (const vector_encoding of ['float', 'base64']) {
      const r = await call(s.url, 'POST', '/predictions', { input: { texts: TEXTS, return_colbert: true, vector_type: 'int8', vector_encoding } });
      assert.equal(r.status, 200, r.text);
      const out = r.body.output;
      assert.equal(out.calibration, cal.body.hash);
      const dense = numpyQuantize('int8', float.body.output.dense_vecs, cal.body.dense);
      const colbert = (float.body.output.colbert_vecs as number[][][]).map((rows) => numpyQuantize('int8', rows, cal.body.colbert));
      if (vector_encoding === 'float') {
        assert.deepEqual(out.dense_vecs, dense.values);
        assert.deepEqual(
          out.colbert_vecs,
          colbert.map((c) => c.values),
        );
      } else {
        assert.deepEqual(
          out.dense_vecs,
          dense.values.map((v) => Buffer.from(Int8Array.from(v).buffer).toString('base64')),
        );
        assert.deepEqual(
          out.colbert_vecs,
          colbert.map((c) => c.base64),
        );
      }
    }
  });

  test("an unknown vector_type is a 422 in Cog's shape that lists the valid values", async () => {
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'], vector_type: 'int4' } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.detail, [
      {
        loc: ['body', 'input', 'vector_type'],
        msg: 'vector_type must be one of "float32", "float16", "int8", "uint8", "binary", "ubinary" (got "int4")',
        type: 'type_error.enum',
      },
    ]);
  });
});
