// The Predictor's pooling path: the 1 − cos matrix from onnxruntime's float64
// GEMM (src/api/pooling/gram-distances.ts) and the pooling thread
// (pool-worker.ts). The distances equal the JavaScript ones to float64
// rounding, and the partitions, then the pooled rows, are SciPy's.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cosineDistances, poolColbert, pooledRowCount, wardClusters } from '../../src/api/colbert-pooling.ts';
import { GramDistances, TILE_ROWS } from '../../src/api/pooling/gram-distances.ts';
import { ColbertPooler, POOL_IN_THREAD_FROM_ROWS } from '../../src/api/pooling/pool-worker.ts';
import { scipyPartitions, skipScipy } from '../helpers/scipy/ward-oracle.ts';
import { rowsOf, unitRows } from '../helpers/unit-rows.ts';

const pooler = new ColbertPooler();
let gram: GramDistances;
after(async () => {
  await pooler.close();
  await gram?.release();
});

test('the GEMM distances equal the JavaScript ones, over more than one row block', async () => {
  gram = await GramDistances.create(2);
  for (const [n, dim] of [
    [2, 4],
    [3, 8],
    [TILE_ROWS + 37, 16],
  ]) {
    const flat = unitRows(n, dim, n);
    const want = cosineDistances(flat, dim);
    const got = await gram.condensed(flat, dim);
    assert.equal(got.length, want.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    assert.ok(worst < 1e-12, `n ${n}: off by ${worst}`);
  }
});

const CASES: [n: number, dim: number, factor: number][] = [
  [100, 32, 3],
  [500, 32, 2],
  [2000, 32, 4],
  [TILE_ROWS * 2 + 5, 16, 2],
];

test('Ward on the GEMM distances gives SciPy’s partitions', { skip: skipScipy }, async () => {
  gram ??= await GramDistances.create(2);
  const inputs = CASES.map(([n, dim, factor], c) => ({ flat: unitRows(n, dim, 300 + c), n, dim, k: pooledRowCount(n, factor) }));
  const want = scipyPartitions(inputs.map((x) => ({ rows: rowsOf(x.flat, x.dim), k: x.k })));
  for (const [c, x] of inputs.entries()) {
    assert.deepEqual(wardClusters(await gram.condensed(x.flat, x.dim), x.n, x.k), want[c], `case ${c} (n ${x.n}, k ${x.k})`);
  }
});

test('the pooling thread returns what poolColbert does, leaves the rows it was given intact, and takes texts one after another', async () => {
  const texts = [unitRows(POOL_IN_THREAD_FROM_ROWS + 1, 16, 1), unitRows(700, 32, 2), unitRows(5, 8, 3)];
  const dims = [16, 32, 8];
  const copies = texts.map((t) => t.slice());
  const got = await Promise.all(texts.map((t, i) => pooler.pool(t, dims[i], 3)));
  got.forEach((rows, i) => {
    assert.deepEqual(rows, poolColbert(texts[i], dims[i], 3), `text ${i}`);
    assert.deepEqual(texts[i], copies[i], `text ${i}'s exact rows are kept for the exact scores`);
  });
  const unpooled = unitRows(10, 8, 4);
  assert.equal(await pooler.pool(unpooled, 8, 1), unpooled, 'factor 1 is the same array');
});
