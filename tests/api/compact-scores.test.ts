// score_compact with vector_type: dense and ColBERT scores are the ones a
// database holding the quantized vectors computes (the query in the same
// type), recomputed by numpy (tests/helpers/quantize/numpy-scores.py) from the
// values the Predictor returned and the calibration's ranges: float16 halves,
// int8/uint8 decoded to the middle of their step, binary/ubinary as ±1/√n.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Predictor, type CalibrationRanges, type Output } from '../../predict.ts';
import type { Input } from '../../src/api/schema-types.ts';
import { numpyCompactScores, numpyMissing } from '../helpers/quantize/numpy-oracle.ts';
import { officialWeights } from '../helpers/server/real-model.ts';

const skip = numpyMissing ? 'numpy not available (apt-get install python3-numpy)' : false;
const TEXTS = ['The cat sat on the mat.', 'Prices fell 50% today, then 3.5% more.', 'e.g. www.example.com and 中文', 'where the cat sat, in the rain'];
const QUERY = 'where did the cat sit';
const TYPES = ['float16', 'int8', 'uint8', 'binary', 'ubinary'] as const;

describe('score_compact scores the vector_type vectors', { skip }, () => {
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
  let cal: CalibrationRanges;
  let exact: Output;
  const predict = (extra: Partial<Input>) => p.predict({ texts: TEXTS, query: QUERY, return_colbert: true, ...extra }) as Promise<Output>;

  before(async () => {
    await p.setup({ weights: await officialWeights(), log: () => {} });
    cal = await p.calibration();
    exact = await predict({});
  });
  after(() => p.close?.());

  for (const type of TYPES) {
    for (const factor of [1, 2]) {
      test(`${type}${factor > 1 ? `, ColBERT pooled by ${factor}` : ''}: numpy's scores from the returned values`, async () => {
        const out = await predict({ vector_type: type, score_compact: true, colbert_pool_factor: factor });
        const q = (await p.predict({ texts: [QUERY], return_colbert: true, vector_type: type })) as Output;
        const want = numpyCompactScores({
          type,
          dim: p.info!.dim,
          ranges: cal,
          query: { dense: (q.dense_vecs as number[][])[0], colbert: (q.colbert_vecs as number[][][])[0] },
          texts: TEXTS.map((_, i) => ({ dense: (out.dense_vecs as number[][])[i], colbert: (out.colbert_vecs as number[][][])[i] })),
        });
        const s = out.scores!;
        TEXTS.forEach((_, i) => {
          assert.ok(Math.abs(s.dense[i] - want.dense[i]) < 1e-5, `text ${i}: dense ${s.dense[i]} vs numpy ${want.dense[i]}`);
          assert.ok(Math.abs(s.colbert[i] - want.colbert[i]) < 1e-5, `text ${i}: colbert ${s.colbert[i]} vs numpy ${want.colbert[i]}`);
          const w = s.weights;
          assert.ok(Math.abs(s.hybrid[i] - (w[0] * s.dense[i] + w[1] * s.sparse[i] + w[2] * s.colbert[i]) / (w[0] + w[1] + w[2])) < 1e-12);
        });
        assert.deepEqual(s.sparse, exact.scores!.sparse, 'vector_type leaves the sparse scores alone');
        if (type !== 'float16') assert.notDeepEqual(s.dense, exact.scores!.dense, `${type} changes the dense scores`);
      });
    }
  }

  test('without score_compact the scores stay exact whatever vector_type', async () => {
    for (const type of TYPES) assert.deepEqual((await predict({ vector_type: type })).scores, exact.scores);
  });

  test('scores alone (no vectors returned) still name the calibration they were quantized with', async () => {
    const out = await predict({ vector_type: 'int8', score_compact: true, return_dense: false, return_colbert: false, return_sparse: false });
    assert.equal(out.calibration, cal.hash);
    assert.equal(out.dense_vecs, undefined);
    assert.notDeepEqual(out.scores!.dense, exact.scores!.dense);
  });
});
