// The heads that need a matrix product as tiny ONNX graphs, built at setup, so
// the 1024x1024 ColBERT projection runs in onnxruntime's GEMM and not in a
// JavaScript loop. Each head is its own graph: a run pays only for the heads
// that were asked for. (Dense and sparse are too small to: small-heads.ts.)
//   colbert = normalize((H[:, 1:] · Wᵀ + b) * mask[:, 1:]) [B, S-1, D]
// with normalize(x) = x / max(‖x‖₂, 1e-12), as torch.nn.functional.normalize.
import { DataType, GraphBuilder } from '../onnx/graph-builder.ts';

export interface Linear {
  weight: Float32Array; // [out, in], row-major, as nn.Linear stores it
  bias: Float32Array; // [out]
  outFeatures: number;
  inFeatures: number;
}

export const HEAD_INPUT = 'hidden';
export const HEAD_MASK = 'attention_mask';
export const HEAD_OUTPUT = 'out';

function normalizeLastAxis(g: GraphBuilder, x: string): string {
  const norm = g.op('ReduceL2', [x], { axes: [-1], keepdims: 1 });
  const eps = g.init('eps', new Float32Array([1e-12]), []);
  return g.op('Div', [x, g.op('Max', [norm, eps])], {}, HEAD_OUTPUT);
}

function hiddenInput(g: GraphBuilder, hidden: number): string {
  return g.input(HEAD_INPUT, DataType.FLOAT, ['batch', 'seq', hidden]);
}

export function colbertHeadGraph(linear: Linear): Uint8Array {
  const { inFeatures: d, outFeatures: out } = linear;
  const g = new GraphBuilder();
  const h = hiddenInput(g, d);
  const mask = g.input(HEAD_MASK, DataType.INT64, ['batch', 'seq']);
  const one = g.init('one', new BigInt64Array([1n]), [1]);
  const end = g.init('end', new BigInt64Array([BigInt(Number.MAX_SAFE_INTEGER)]), [1]);
  const axis1 = g.init('axis1', new BigInt64Array([1n]), [1]);
  const tokens = g.op('Slice', [h, one, end, axis1]);
  const wt = g.init('wt', transpose(linear.weight, out, d), [d, out]);
  const projected = g.op('Add', [g.op('MatMul', [tokens, wt]), g.init('b', linear.bias, [out])]);
  const m = g.op('Cast', [g.op('Slice', [mask, one, end, axis1])], { to: DataType.FLOAT });
  const masked = g.op('Mul', [projected, g.op('Unsqueeze', [m, g.init('axis2', new BigInt64Array([2n]), [1])])]);
  normalizeLastAxis(g, masked);
  g.output(HEAD_OUTPUT, DataType.FLOAT, ['batch', 'seq_minus_1', out]);
  return g.build().model;
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

export const POOL_WEIGHTS = 'pool_weights';

/**
 * pooled = normalize(P · H): each of the K rows of P [B, K, S] holds 1/count at
 * the positions it averages and 0 elsewhere, so a row of the [B, K, H] output
 * is the L2-normalized mean of those positions' last hidden states. It runs
 * only for batches that ask for a pool (MCLS, contextual chunks).
 */
export function poolHeadGraph(hidden: number): Uint8Array {
  const g = new GraphBuilder();
  const h = hiddenInput(g, hidden);
  const p = g.input(POOL_WEIGHTS, DataType.FLOAT, ['batch', 'pools', 'seq']);
  normalizeLastAxis(g, g.op('MatMul', [p, h]));
  g.output(HEAD_OUTPUT, DataType.FLOAT, ['batch', 'pools', hidden]);
  return g.build().model;
}
