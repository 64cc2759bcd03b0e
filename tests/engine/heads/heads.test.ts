// Each head rule checked against numbers worked out by hand on known hidden states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { colbertHeadGraph, poolHeadGraph } from '../../../src/engine/heads/heads-graph.ts';
import { denseHead, sparseHead } from '../../../src/engine/heads/small-heads.ts';

// Batch of 2 texts, 3 positions, hidden 4. Row 1's last position is padding.
const H = new Float32Array([3, 4, 0, 0, /**/ 1, 2, 2, 0, /**/ 0, 0, -5, 0, 0, 0, 0, 2, /**/ 0, 3, 0, 4, /**/ 9, 9, 9, 9]);
const MASK = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);
const hidden = () => new ort.Tensor('float32', H, [2, 3, 4]);

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const s = await ort.InferenceSession.create(model);
  return (await s.run(feeds)).out as ort.Tensor;
}

function close(actual: ArrayLike<number>, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-6, `[${i}] ${actual[i]} != ${e}`));
}

const states = { data: H, rows: 2, seq: 3, dim: 4 };

test('dense = the <s> row, L2-normalized; an all-zero row stays zero', () => {
  // [3,4,0,0] / 5 and [0,0,0,2] / 2
  close(denseHead(states), [0.6, 0.8, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...denseHead({ data: new Float32Array(8), rows: 1, seq: 2, dim: 4 })], [0, 0, 0, 0]);
});

test('sparse = relu(h·w + b) per token', () => {
  const linear = { weight: new Float32Array([1, 0.5, 0, 0]), bias: new Float32Array([-2]), outFeatures: 1, inFeatures: 4 };
  // 3+2-2=3, 1+1-2=0, 0+0-2<0 -> 0 ; 0+0-2 -> 0, 0+1.5-2 -> 0, 9+4.5-2=11.5 (padding; dropped later)
  close(sparseHead(states, linear), [3, 0, 0, 0, 0, 11.5]);
  const wide = { ...linear, weight: new Float32Array(5), inFeatures: 5 };
  assert.throws(() => sparseHead(states, wide), /sparse_linear must map 4 features to 1, got 5 to 1/);
});

test('sparse sums in float64 and rounds once: 1 + 1e-8 − 1 is 1e-8, not the 0 a float32 sum gives', () => {
  const data = new Float32Array([1, 1e-8, -1]);
  const linear = { weight: new Float32Array([1, 1, 1]), bias: new Float32Array([0]), outFeatures: 1, inFeatures: 3 };
  assert.equal(sparseHead({ data, rows: 1, seq: 1, dim: 3 }, linear)[0], Math.fround(1e-8));
});

test('colbert = normalize(linear(H[:, 1:]) * mask[:, 1:]): <s> dropped, padding zeroed', async () => {
  // W swaps features 0 and 1 and doubles feature 2; bias adds 1 to feature 3.
  const weight = new Float32Array([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const linear = { weight, bias: new Float32Array([0, 0, 0, 1]), outFeatures: 4, inFeatures: 4 };
  const out = await run(colbertHeadGraph(linear), { hidden: hidden(), attention_mask: new ort.Tensor('int64', MASK, [2, 3]) });
  assert.deepEqual(out.dims, [2, 2, 4]);
  close(out.data as Float32Array, [
    // [1,2,2,0] -> [2,1,4,1], norm sqrt(22)
    2 / Math.sqrt(22),
    1 / Math.sqrt(22),
    4 / Math.sqrt(22),
    1 / Math.sqrt(22),
    // [0,0,-5,0] -> [0,0,-10,1], norm sqrt(101)
    0,
    0,
    -10 / Math.sqrt(101),
    1 / Math.sqrt(101),
    // [0,3,0,4] -> [3,0,0,5], norm sqrt(34)
    3 / Math.sqrt(34),
    0,
    0,
    5 / Math.sqrt(34),
    // padding: masked to zero, and zero stays zero (eps clamp, no NaN)
    0,
    0,
    0,
    0,
  ]);
});

test('a non-square ColBERT head keeps its output width', async () => {
  const linear = { weight: new Float32Array(12).fill(1), bias: new Float32Array(3), outFeatures: 3, inFeatures: 4 };
  const out = await run(colbertHeadGraph(linear), { hidden: hidden(), attention_mask: new ort.Tensor('int64', MASK, [2, 3]) });
  assert.deepEqual(out.dims, [2, 2, 3]);
});

test('pool = normalize(P · H): the L2-normalized mean of the rows each pool weights', async () => {
  // Text 0, pool 0: positions 0 and 1 -> mean [2, 3, 1, 0], norm sqrt(14); pool 1: position 2 -> [0, 0, -1, 0].
  // Text 1, pool 0: position 1 -> [0, 0.6, 0, 0.8]; pool 1: nothing asked (all zero) -> zeros, not NaN.
  const p = new Float32Array([0.5, 0.5, 0, /**/ 0, 0, 1, /**/ 0, 1, 0, /**/ 0, 0, 0]);
  const out = await run(poolHeadGraph(4), { hidden: hidden(), pool_weights: new ort.Tensor('float32', p, [2, 2, 3]) });
  assert.deepEqual(out.dims, [2, 2, 4]);
  const r = Math.sqrt(14);
  close(out.data as Float32Array, [2 / r, 3 / r, 1 / r, 0, 0, 0, -1, 0, 0, 0.6, 0, 0.8, 0, 0, 0, 0]);
});
