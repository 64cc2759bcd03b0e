// The dense and sparse heads, computed in code on the worker thread from the
// backbone's hidden states. They are at most a thousand multiply-adds per token:
// on a lone query an onnxruntime run of each cost more (0.27 ms together against
// 0.09 ms here, BENCHMARKS.md), so they get no sessions of their own.
//   dense  = normalize(H[:, 0])     [B, D]
//   sparse = relu(H · w_sp + b_sp)  [B, S]
// with normalize(x) = x / max(‖x‖₂, 1e-12), as torch.nn.functional.normalize.
// Sums run in float64; the results are rounded once to float32. The sparse head
// costs about 2 µs per token (35 ms for 32 × 512 tokens), under 0.5 % of the
// forward pass that made those hidden states, even in int8.
import type { Linear } from './heads-graph.ts';

/** The hidden states of a padded batch: [rows, seq, dim], row-major. */
export interface Hidden {
  data: Float32Array;
  rows: number;
  seq: number;
  dim: number;
}

export function denseHead({ data, rows, seq, dim }: Hidden): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const cls = r * seq * dim;
    let squares = 0;
    for (let k = 0; k < dim; k++) squares += data[cls + k] * data[cls + k];
    const norm = Math.max(Math.sqrt(squares), 1e-12);
    for (let k = 0; k < dim; k++) out[r * dim + k] = data[cls + k] / norm;
  }
  return out;
}

export function sparseHead({ data, rows, seq, dim }: Hidden, linear: Linear): Float32Array {
  if (linear.outFeatures !== 1 || linear.inFeatures !== dim)
    throw new Error(`sparse_linear must map ${dim} features to 1, got ${linear.inFeatures} to ${linear.outFeatures}`);
  const { weight: w } = linear;
  const bias = linear.bias[0];
  const out = new Float32Array(rows * seq);
  for (let t = 0; t < rows * seq; t++) {
    let sum = bias;
    const at = t * dim;
    for (let k = 0; k < dim; k++) sum += data[at + k] * w[k];
    out[t] = Math.max(sum, 0);
  }
  return out;
}
