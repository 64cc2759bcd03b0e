// The generated ONNX graphs compute XLM-RoBERTa and the BGE-M3 heads: compared
// with the independent float64 reference forward pass on the same weights.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { generateWeights, type XlmrWeights } from '../../../tools/fixtures/test-model/weights.ts';
import { referenceHeads, referenceLastHiddenState, referenceSparse } from '../../helpers/model/reference-forward.ts';
import { ensureTestModels, type TestModels } from '../../helpers/model/test-models.ts';
import { maxAbsDiff, openLayout, padBatch, run } from '../../helpers/model/run-model.ts';
import { sampleRows } from '../../helpers/model/sample-batches.ts';

const TOLERANCE = 1e-5;

describe('generated models against the reference forward pass', () => {
  let models: TestModels;
  let weights: XlmrWeights;
  before(async () => {
    models = await ensureTestModels();
    weights = generateWeights(models.config);
  });

  async function assertHiddenMatches(ids: number[][], mask: number[][]): Promise<void> {
    const expected = referenceLastHiddenState(weights, ids, mask);
    const official = (await run(await openLayout(models, 'official'), ids, mask)).token_embeddings;
    const xenova = (await run(await openLayout(models, 'xenova'), ids, mask)).last_hidden_state;
    for (const got of [official, xenova]) {
      assert.deepEqual(got.dims, expected.dims);
      assert.ok(maxAbsDiff(got.data, expected.data) < TOLERANCE, `max |Δ| ${maxAbsDiff(got.data, expected.data)}`);
    }
  }

  it('last hidden state of a single row', async () => {
    const row = sampleRows(models.config.vocabSize)[0];
    await assertHiddenMatches([row], [row.map(() => 1)]);
  });

  it('last hidden state of a right-padded batch, pad rows included', async () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize));
    await assertHiddenMatches(ids, mask);
  });

  it('last hidden state of a left-padded batch (positions come from the ids)', async () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize), 'left');
    await assertHiddenMatches(ids, mask);
  });

  it('takes positions from input_ids, not from attention_mask', async () => {
    // A pad id under mask 1: XLM-R gives it the padding position and does not count it.
    await assertHiddenMatches([[0, 5, 1, 7, 2]], [[1, 1, 1, 1, 1]]);
  });

  it('in-graph heads (dense, sparse, colbert) match the reference heads', async () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize));
    const expected = referenceHeads(weights, referenceLastHiddenState(weights, ids, mask), mask);
    const aapot = await run(await openLayout(models, 'heads-aapot'), ids, mask);
    const yuniko = await run(await openLayout(models, 'heads-yuniko'), ids, mask);
    const pairs = [
      [aapot.dense_vecs, expected.dense],
      [aapot.sparse_vecs, expected.sparse],
      [aapot.colbert_vecs, expected.colbert],
      [yuniko.dense_embeddings, expected.dense],
      [yuniko.sparse_weights, expected.sparse],
      [yuniko.colbert_vectors, expected.colbert],
    ] as const;
    for (const [got, want] of pairs) {
      assert.deepEqual(got.dims, want.dims);
      assert.ok(maxAbsDiff(got.data, want.data) < TOLERANCE, `max |Δ| ${maxAbsDiff(got.data, want.data)}`);
    }
  });

  it('official sentence_embedding is the normalized CLS row', async () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize));
    const expected = referenceHeads(weights, referenceLastHiddenState(weights, ids, mask), mask).dense;
    const got = (await run(await openLayout(models, 'official'), ids, mask)).sentence_embedding;
    assert.deepEqual(got.dims, expected.dims);
    assert.ok(maxAbsDiff(got.data, expected.data) < TOLERANCE);
  });

  it('colbert rows of padding are exactly zero and real rows have unit norm', async () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize));
    const { colbert_vecs: c } = await run(await openLayout(models, 'heads-aapot'), ids, mask);
    const [B, S1, H] = c.dims;
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S1; s++) {
        const v = c.data.subarray((b * S1 + s) * H, (b * S1 + s + 1) * H);
        const norm = Math.hypot(...v);
        if (mask[b][s + 1]) assert.ok(Math.abs(norm - 1) < 1e-5, `row ${b} token ${s + 1}: norm ${norm}`);
        else
          assert.ok(
            v.every((x) => x === 0),
            `row ${b} token ${s + 1} is padding but not zero`,
          );
      }
    }
  });

  it('sparse weights exercise the relu: some tokens get 0, others a positive weight', () => {
    const { ids, mask } = padBatch(sampleRows(models.config.vocabSize));
    const sparse = referenceSparse(weights.sparseLinear, referenceLastHiddenState(weights, ids, mask));
    const real = Array.from(sparse.data).filter((_, i) => mask.flat()[i] === 1);
    assert.ok(real.some((w) => w === 0) && real.some((w) => w > 0), `sparse weights ${real}`);
  });
});
