// Cohere's POST /v2/embed on the real (small generated) model, through the
// official `cohere-ai` client: float embeddings are /predictions' dense_vecs;
// int8, uint8, binary and ubinary are numpy's quantization of them (with the
// ranges GET /calibration serves, named in meta.calibration); base64 is their
// float32 bytes; bad input is Cohere's 400 {"message"} naming the field.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cohere, CohereClientV2 } from 'cohere-ai';
import { Predictor } from '../../../predict.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { numpyMissing, numpyQuantize } from '../../helpers/quantize/numpy-oracle.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const TEXTS = ['BGE M3 is an embedding model.', 'Paris est la capitale de la France.', 'BGE-M3 は多言語の埋め込みモデルです。'];
const skip = numpyMissing ? 'numpy not available (apt-get install python3-numpy)' : false;

describe('Cohere /v2/embed', { skip }, () => {
  let s: RunningServer;
  let client: CohereClientV2;

  before(async () => {
    const predictor = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
    s = await startTestServer({ weights: await officialWeights(), predictor });
    await waitForHealth(s.url, ['READY']);
    client = new CohereClientV2({ token: 'local', baseUrl: s.url, maxRetries: 0 });
  });

  after(() => s?.close());

  test('every embedding type is the dense vector, as numpy quantizes it', async () => {
    const res = await client.embed({
      model: 'BAAI/bge-m3',
      texts: TEXTS,
      inputType: 'search_document',
      embeddingTypes: ['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'],
    });
    const pred = await call(s.url, 'POST', '/predictions', { input: { texts: TEXTS, return_sparse: false } });
    const dense: number[][] = pred.body.output.dense_vecs;
    const cal = (await call(s.url, 'GET', '/calibration')).body;
    assert.deepEqual(res.embeddings.float, dense);
    for (const type of ['int8', 'uint8', 'binary', 'ubinary'] as const) {
      const ranges = type === 'int8' || type === 'uint8' ? cal.dense : undefined;
      assert.deepEqual(res.embeddings[type], numpyQuantize(type, dense, ranges).values, type);
    }
    assert.deepEqual(
      res.embeddings.base64,
      dense.map((v) => Buffer.from(Float32Array.from(v).buffer).toString('base64')),
    );
    assert.deepEqual(res.texts, TEXTS);
    assert.equal(res.meta?.apiVersion?.version, '2');
    assert.equal(
      res.meta?.billedUnits?.inputTokens,
      pred.body.output.token_counts.reduce((a: number, b: number) => a + b, 0),
    );
    assert.equal((res.meta as Record<string, unknown>).calibration, cal.hash);
  });

  test('without embedding_types the answer is floats only, and no calibration is named', async () => {
    const r = await call(s.url, 'POST', '/v2/embed', { texts: ['hi'], input_type: 'search_query' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body.embeddings), ['float']);
    assert.equal(r.body.meta.calibration, undefined);
  });

  test("bad input is Cohere's 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ texts: [], input_type: 'search_query' }, /^invalid request: texts must be a non-empty list of strings/],
      [{ texts: ['a', 3] }, /^invalid request: texts\[1\] must be a string/],
      [{ texts: ['a'], input_type: 'image' }, /^invalid request: input_type image is not available/],
      [{ texts: ['a'], embedding_types: ['int4'] }, /^invalid request: embedding_types must be a non-empty list of float, int8/],
      [{ texts: ['a'], truncate: 'MIDDLE' }, /^invalid request: truncate must be NONE, START or END/],
    ];
    for (const [body, message] of cases) {
      const r = await call(s.url, 'POST', '/v2/embed', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.message, message);
    }
    await assert.rejects(
      client.embed({ texts: [], inputType: 'search_query', model: 'm', embeddingTypes: ['float'] }),
      (e: unknown) => e instanceof Cohere.BadRequestError,
    );
  });
});
