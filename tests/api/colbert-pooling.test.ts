// colbert_pool_factor's clustering against SciPy (linkage(method="ward") +
// fcluster(criterion="maxclust") in a python3 child): the same partitions of
// random unit vectors, 2 to 2,000 rows; the pooled rows are the clusters'
// means, not renormalized; factor 1 and tiny texts are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineDistances, poolColbert, pooledRowCount, wardClusters } from '../../src/api/colbert-pooling.ts';
import { scipyPartitions, skipScipy } from '../helpers/scipy/ward-oracle.ts';
import { rowsOf, unitRows } from '../helpers/unit-rows.ts';

test('pooledRowCount is max(n // factor, 1), and n at factor 1', () => {
  assert.equal(pooledRowCount(10, 1), 10);
  assert.equal(pooledRowCount(10, 2), 5);
  assert.equal(pooledRowCount(10, 3), 3);
  assert.equal(pooledRowCount(3, 4), 1);
  assert.equal(pooledRowCount(1, 4), 1);
  assert.equal(pooledRowCount(0, 4), 0);
});

test('factor 1, or one row, returns the rows unchanged (the same array)', () => {
  const rows = unitRows(7, 8, 1);
  assert.equal(poolColbert(rows, 8, 1), rows);
  const one = unitRows(1, 8, 2);
  assert.equal(poolColbert(one, 8, 3), one);
});

test('two rows at a factor of 2 or more are one cluster, their mean', () => {
  // SciPy cannot be the oracle here: for n = 2, fcluster(maxclust) cuts at
  // an element of an array it never filled (np.ndarray(n) in
  // cluster_maxclust_dist), so it answers one cluster or two from run to run.
  const rows = unitRows(2, 4, 3);
  const pooled = poolColbert(rows, 4, 2);
  assert.deepEqual(
    Array.from(pooled),
    [0, 1, 2, 3].map((d) => Math.fround((rows[d] + rows[4 + d]) / 2)),
  );
});

const CASES: [n: number, dim: number, factor: number][] = [
  [3, 8, 2],
  [5, 4, 3],
  [17, 16, 2],
  [64, 16, 4],
  [100, 32, 3],
  [333, 8, 2],
  [500, 32, 5],
  [2000, 16, 2],
  [2000, 32, 4],
];

test('the partitions of random unit vectors are SciPy Ward + maxclust ones', { skip: skipScipy }, () => {
  const inputs = CASES.map(([n, dim, factor], c) => ({ flat: unitRows(n, dim, 100 + c), n, dim, k: pooledRowCount(n, factor) }));
  const want = scipyPartitions(inputs.map((x) => ({ rows: rowsOf(x.flat, x.dim), k: x.k })));
  inputs.forEach((x, c) => {
    const got = wardClusters(cosineDistances(x.flat, x.dim), x.n, x.k);
    assert.equal(got.length, x.k, `case ${c}: ${x.k} clusters`);
    assert.deepEqual(got, want[c], `case ${c} (n ${x.n}, k ${x.k})`);
  });
});

test('on the same condensed distances, including ties, the cut is SciPy’s', { skip: skipScipy }, () => {
  // Points on a line (not a Euclidean embedding of Ward's heights), some at equal gaps.
  const xs = [0, 1, 2, 3, 5, 8, 13, 14, 15, 30];
  const n = xs.length;
  const condensed: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) condensed.push(Math.abs(xs[i] - xs[j]));
  // Not k = n - 1: SciPy's maxclust search never tries the lowest height, so it cuts one merge more (pooling never asks for n - 1 of n >= 3).
  const ks = [1, 2, 3, 4, 5, 7];
  const want = scipyPartitions(ks.map((k) => ({ condensed, n, k })));
  ks.forEach((k, c) => assert.deepEqual(wardClusters(Float64Array.from(condensed), n, k), want[c], `k ${k}`));
});

test('pooled rows are the means of SciPy’s clusters, not renormalized', { skip: skipScipy }, () => {
  const dim = 16;
  const flat = unitRows(300, dim, 7);
  const pooled = poolColbert(flat, dim, 3);
  const [clusters] = scipyPartitions([{ rows: rowsOf(flat, dim), k: 100 }]);
  assert.equal(pooled.length, clusters.length * dim);
  clusters.forEach((rows, c) => {
    for (let d = 0; d < dim; d++) {
      const mean = rows.reduce((s, r) => s + flat[r * dim + d], 0) / rows.length;
      assert.ok(Math.abs(pooled[c * dim + d] - mean) < 1e-6, `cluster ${c}, dimension ${d}`);
    }
    const norm = Math.hypot(...pooled.subarray(c * dim, (c + 1) * dim));
    if (rows.length > 1) assert.ok(norm < 1 - 1e-6, `cluster ${c} of ${rows.length} rows keeps its mean's norm ${norm}`);
  });
});
