// Position ids are computed inside the graph from input_ids, the XLM-R way:
// padding never shifts them, and the 8194-row table allows exactly 8192 tokens.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureTestModels, type TestModels } from '../../helpers/model/test-models.ts';
import { maxAbsDiff, openLayout, padBatch, run, slice3 } from '../../helpers/model/run-model.ts';
import { fillerIds, sampleRows } from '../../helpers/model/sample-batches.ts';

describe('position ids of the generated models', () => {
  let models: TestModels;
  before(async () => {
    models = await ensureTestModels();
  });

  for (const side of ['right', 'left'] as const) {
    it(`a ${side}-padded row equals the same text alone`, async () => {
      const session = await openLayout(models, 'official');
      const rows = sampleRows(models.config.vocabSize);
      const { ids, mask } = padBatch(rows, side);
      const batch = (await run(session, ids, mask)).token_embeddings;
      const S = ids[0].length;
      for (const [b, row] of rows.entries()) {
        const alone = (await run(session, [row], [row.map(() => 1)])).token_embeddings;
        const from = side === 'right' ? 0 : S - row.length;
        const diff = maxAbsDiff(slice3(batch, b, from, from + row.length), alone.data);
        assert.ok(diff < 1e-5, `row ${b}: max |Δ| ${diff}`);
      }
    });
  }

  it('runs an 8192-token input (positions 2…8193)', async () => {
    const ids = [0, ...fillerIds(8190, models.config.vocabSize, 3), 2];
    const out = (await run(await openLayout(models, 'official'), [ids], [ids.map(() => 1)])).token_embeddings;
    assert.deepEqual(out.dims, [1, 8192, models.config.hidden]);
    assert.ok(out.data.every(Number.isFinite));
  });

  it('rejects 8193 tokens: position 8194 is past the table', async () => {
    const ids = [0, ...fillerIds(8191, models.config.vocabSize, 3), 2];
    await assert.rejects(run(await openLayout(models, 'official'), [ids], [ids.map(() => 1)]), /out of data bounds/);
  });

  it('has exactly vocabSize word embedding rows', async () => {
    const session = await openLayout(models, 'official');
    const v = models.config.vocabSize;
    await run(session, [[0, v - 1, 2]], [[1, 1, 1]]);
    await assert.rejects(run(session, [[0, v, 2]], [[1, 1, 1]]), /out of data bounds/);
  });
});
