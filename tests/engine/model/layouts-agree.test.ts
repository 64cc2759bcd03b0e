// All four layouts are the same model: identical backbone outputs, identical
// in-graph heads, and .pt head files holding exactly the in-graph head weights.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readLinearPt } from '../../../src/engine/torch/linear-pt.ts';
import { referenceColbert, referenceSparse, type RefTensor } from '../../helpers/model/reference-forward.ts';
import { ensureTestModels, type TestModels } from '../../helpers/model/test-models.ts';
import { maxAbsDiff, openLayout, padBatch, run, type Output } from '../../helpers/model/run-model.ts';
import { sampleRows } from '../../helpers/model/sample-batches.ts';

const TOLERANCE = 1e-5;

describe('the four generated layouts agree', () => {
  let models: TestModels;
  let out: Record<'official' | 'heads-aapot' | 'heads-yuniko' | 'xenova', Record<string, Output>>;
  let mask: number[][];
  before(async () => {
    models = await ensureTestModels();
    const batch = padBatch(sampleRows(models.config.vocabSize));
    mask = batch.mask;
    const runLayout = async (name: keyof typeof out) => run(await openLayout(models, name), batch.ids, batch.mask);
    out = {
      official: await runLayout('official'),
      'heads-aapot': await runLayout('heads-aapot'),
      'heads-yuniko': await runLayout('heads-yuniko'),
      xenova: await runLayout('xenova'),
    };
  });

  function assertSame(a: Output | RefTensor, b: Output | RefTensor, what: string): void {
    assert.deepEqual(a.dims, b.dims, what);
    const diff = maxAbsDiff(a.data, b.data);
    assert.ok(diff < TOLERANCE, `${what}: max |Δ| ${diff}`);
  }

  it('backbone layouts give the same last hidden state', () => {
    assertSame(out.official.token_embeddings, out.xenova.last_hidden_state, 'token_embeddings vs last_hidden_state');
  });

  it('all dense outputs agree', () => {
    assertSame(out.official.sentence_embedding, out['heads-aapot'].dense_vecs, 'sentence_embedding vs dense_vecs');
    assertSame(out['heads-aapot'].dense_vecs, out['heads-yuniko'].dense_embeddings, 'dense_vecs vs dense_embeddings');
  });

  it('both heads-in-graph layouts agree', () => {
    const [a, y] = [out['heads-aapot'], out['heads-yuniko']];
    assertSame(a.sparse_vecs, y.sparse_weights, 'sparse');
    assertSame(a.colbert_vecs, y.colbert_vectors, 'colbert');
  });

  for (const name of ['official', 'xenova'] as const) {
    it(`${name}: its .pt heads applied to its hidden state give the in-graph heads`, () => {
      const dir = models.dirs[name];
      const sparseLinear = readLinearPt(readFileSync(join(dir, 'sparse_linear.pt')), 'sparse_linear.pt');
      const colbertLinear = readLinearPt(readFileSync(join(dir, 'colbert_linear.pt')), 'colbert_linear.pt');
      const hiddenOut = name === 'official' ? out.official.token_embeddings : out.xenova.last_hidden_state;
      const hidden = { data: Float64Array.from(hiddenOut.data), dims: hiddenOut.dims };
      assertSame(referenceSparse(sparseLinear, hidden), out['heads-aapot'].sparse_vecs, 'sparse');
      assertSame(referenceColbert(colbertLinear, hidden, mask), out['heads-aapot'].colbert_vecs, 'colbert');
    });
  }
});
