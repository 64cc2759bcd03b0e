// Pooled vectors (MCLS, contextual chunks): the pool head's rows equal the
// L2-normalized mean of the bare backbone's hidden states at the asked
// positions, computed here by hand; a batch that asks for none is unchanged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { BgeM3Onnx } from '../../../src/engine/onnx/onnx-model.ts';
import type { Pool } from '../../../src/engine/types.ts';
import { ensureTestModels, type TestModels } from '../../helpers/model/test-models.ts';
import { maxAbsDiff, openLayout, padBatch, run, slice3 } from '../../helpers/model/run-model.ts';

const ALL = { dense: true, sparse: true, colbert: true };
let models: TestModels;
let model: BgeM3Onnx;

before(async () => {
  models = await ensureTestModels();
  model = await BgeM3Onnx.load(await findModelFiles(models.dirs.official), { intraOpThreads: 1 });
});
after(() => model.release());

function ids(n: number, seed: number): number[] {
  return [0, ...Array.from({ length: n - 2 }, (_, i) => 5 + ((i * 7 + seed * 13) % 40)), 2];
}

/** normalize(mean of `hidden` rows at the pool's positions), in float64. */
function byHand(hidden: Float32Array, pool: Pool): number[] {
  const h = models.config.hidden;
  const sum = new Float64Array(h);
  let count = 0;
  for (const { start, end } of pool) {
    for (let p = start; p < end; p++, count++) for (let k = 0; k < h; k++) sum[k] += hidden[p * h + k];
  }
  const norm = Math.hypot(...sum.map((v) => v / count));
  return Array.from(sum, (v) => v / count / norm);
}

test('pooled rows are the normalized means of the backbone hidden states at the asked positions', async () => {
  const batch = [ids(40, 1), ids(23, 2), ids(31, 3)];
  const pools: (Pool[] | undefined)[] = [
    [
      [
        { start: 0, end: 1 },
        { start: 17, end: 18 },
        { start: 33, end: 34 },
      ],
      [{ start: 5, end: 20 }],
    ],
    undefined,
    [[{ start: 1, end: 30 }]],
  ];
  const out = await model.run(batch, ALL, pools);
  const plain = await model.run(batch, ALL);
  const bare = await openLayout(models, 'official');
  const { ids: padded, mask } = padBatch(batch);
  const hidden = (await run(bare, padded, mask)).token_embeddings;
  batch.forEach((tokens, r) => {
    const rowHidden = slice3(hidden, r, 0, tokens.length);
    const expected = (pools[r] ?? []).flatMap((pool) => byHand(rowHidden, pool));
    if (pools[r]) assert.ok(maxAbsDiff(out[r].pooled!, expected) < 1e-5, `text ${r}`);
    else assert.equal(out[r].pooled, undefined);
    // Asking for pools changes nothing else.
    assert.deepEqual(out[r].dense, plain[r].dense);
    assert.deepEqual(out[r].tokenWeights, plain[r].tokenWeights);
    assert.deepEqual(out[r].colbert, plain[r].colbert);
    assert.equal(plain[r].pooled, undefined);
  });
});

test('a pool of the <s> position alone is the dense vector', async () => {
  const [out] = await model.run([ids(12, 4)], { dense: true, sparse: false, colbert: false }, [[[{ start: 0, end: 1 }]]]);
  assert.ok(maxAbsDiff(out.pooled!, out.dense!) < 1e-6);
});

test('a pool outside its text or overlapping itself is refused, not averaged over padding', async () => {
  const batch = [ids(10, 5), ids(20, 6)];
  await assert.rejects(model.run(batch, ALL, [[[{ start: 5, end: 12 }]], undefined]), /outside the 10 tokens/);
  await assert.rejects(
    model.run(batch, ALL, [
      [
        [
          { start: 1, end: 5 },
          { start: 4, end: 6 },
        ],
      ],
      undefined,
    ]),
    /overlaps/,
  );
});

test('an export with the heads inside its graph says it has no hidden states to pool', async () => {
  const inGraph = await BgeM3Onnx.load(await findModelFiles(models.dirs['heads-aapot']), { intraOpThreads: 1 });
  try {
    await assert.rejects(inGraph.run([ids(8, 7)], ALL, [[[{ start: 0, end: 1 }]]]), /outputs no hidden states/);
  } finally {
    await inGraph.release();
  }
});
