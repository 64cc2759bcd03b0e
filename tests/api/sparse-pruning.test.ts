// sparse_top_k and sparse_min_weight on lexical weights: the k largest, equal
// weights keeping the smaller id; the threshold keeps weights equal to it;
// both together; compared with numpy's lexsort on random weights with ties.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pruneLexical } from '../../src/api/sparse-pruning.ts';
import { PYTHON, skipScipy } from '../helpers/scipy/ward-oracle.ts';

const W = { '5': 0.5, '9': 0.25, '12': 0.5, '40': 0.125, '77': 0.75 };

test('off by default: the same object', () => {
  assert.equal(pruneLexical(W, {}), W);
});

test('top k keeps the largest; a tie at the k-th place keeps the smaller id', () => {
  assert.deepEqual(pruneLexical(W, { topK: 1 }), { '77': 0.75 });
  assert.deepEqual(pruneLexical(W, { topK: 2 }), { '5': 0.5, '77': 0.75 });
  assert.deepEqual(pruneLexical(W, { topK: 3 }), { '5': 0.5, '12': 0.5, '77': 0.75 });
  assert.deepEqual(pruneLexical(W, { topK: 99 }), W);
});

test('min weight keeps weights equal to it and drops those below', () => {
  assert.deepEqual(pruneLexical(W, { minWeight: 0.5 }), { '5': 0.5, '12': 0.5, '77': 0.75 });
  assert.deepEqual(pruneLexical(W, { minWeight: 0 }), W);
  assert.deepEqual(pruneLexical(W, { minWeight: 1 }), {});
});

test('both: the threshold, then the k largest of what is left', () => {
  assert.deepEqual(pruneLexical(W, { topK: 4, minWeight: 0.3 }), { '5': 0.5, '12': 0.5, '77': 0.75 });
  assert.deepEqual(pruneLexical(W, { topK: 1, minWeight: 0.3 }), { '77': 0.75 });
});

test('on random weights with ties, the kept ids are numpy lexsort’s', { skip: skipScipy }, () => {
  const cases = Array.from({ length: 20 }, (_, c) => {
    const ids = [...new Set(Array.from({ length: 50 + c * 7 }, (_, i) => (i * 7919 + c * 104729) % 250002))];
    // Weights on a coarse grid, so many are equal.
    const weights = ids.map((id, i) => Math.round(((id * 31 + i * 17 + c) % 97) / 4) / 24);
    return { ids, weights, k: 1 + ((c * 13) % 40), min: c % 3 === 0 ? 0.5 : 0 };
  });
  const script = [
    'import json, sys, numpy as np',
    'out = []',
    'for c in json.load(sys.stdin):',
    "    ids, w = np.array(c['ids']), np.array(c['weights'])",
    "    keep = w >= c['min']",
    '    ids, w = ids[keep], w[keep]',
    "    order = np.lexsort((ids, -w))[: c['k']]",
    '    out.append(sorted(ids[order].tolist()))',
    'json.dump(out, sys.stdout)',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const want = JSON.parse(run.stdout) as number[][];
  cases.forEach((c, i) => {
    const weights = Object.fromEntries(c.ids.map((id, j) => [String(id), c.weights[j]]));
    const got = pruneLexical(weights, { topK: c.k, minWeight: c.min });
    assert.deepEqual(Object.keys(got).map(Number), want[i], `case ${i}`);
    for (const id in got) assert.equal(got[id], weights[id]);
  });
});
