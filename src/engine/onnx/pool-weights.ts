// The pool head's P [rows, K, seq] for one padded batch: row r, pool k holds
// 1/count at the positions pools[r][k] averages, 0 elsewhere (heads-graph.ts).
// A pool's ranges must be disjoint and inside its text (never on padding).
import * as ort from 'onnxruntime-node';
import type { Pool } from '../types.ts';

export function poolWeights(pools: readonly (Pool[] | undefined)[], lengths: readonly number[], rows: number, seq: number): ort.Tensor {
  const k = Math.max(1, ...pools.map((p) => p?.length ?? 0));
  const data = new Float32Array(rows * k * seq);
  pools.forEach((textPools, r) =>
    textPools?.forEach((pool, j) => {
      const count = pool.reduce((sum, { start, end }) => sum + (end - start), 0);
      const base = (r * k + j) * seq;
      for (const { start, end } of pool) {
        if (!(start >= 0 && end <= lengths[r] && start < end))
          throw new Error(`pool range [${start}, ${end}) is empty or outside the ${lengths[r]} tokens of its text`);
        if (data.subarray(base + start, base + end).some((v) => v !== 0)) throw new Error(`pool range [${start}, ${end}) overlaps another range of its pool`);
        data.fill(1 / count, base + start, base + end);
      }
    }),
  );
  return new ort.Tensor('float32', data, [rows, k, seq]);
}
