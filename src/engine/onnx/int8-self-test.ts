// Runs the int8 kernel's worst case once before a model is served in int8:
// every activation at 255 and every weight at its largest value, the one
// product that overflows a 16-bit pair sum. A CPU whose kernel saturates
// gives about half the exact value; then int8 is refused, never served wrong.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DataType, GraphBuilder } from './graph-builder.ts';
import { DEFAULT_QUANTIZE, quantizeMatMuls, type QuantizeOptions } from './quantize-matmuls.ts';

const { onnx } = onnxProto;
const [M, K, N] = [2, 64, 16];

export interface KernelCheck {
  ok: boolean;
  /** The worst wrong value, and what it should be. */
  got: number;
  expected: number;
}

/** Runs y = x·w on the quantized worst case, for both signs of w; returns the outputs and their exact values. */
export type KernelRun = (opts: QuantizeOptions) => Promise<{ y: Float32Array; expected: number }[]>;

export const runWorstCase: KernelRun = async (opts) => {
  const results = [];
  for (const sign of [1, -1]) {
    const g = new GraphBuilder();
    const input = g.input('x', DataType.FLOAT, [M, K]);
    g.op('MatMul', [input, g.init('w', new Float32Array(K * N).fill(sign), [K, N])], {}, 'y');
    g.output('y', DataType.FLOAT, [M, N]);
    const model = onnx.ModelProto.decode(g.build().model);
    quantizeMatMuls(model, '.', opts);
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { intraOpNumThreads: 1 });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(M * K).fill(1), [M, K]) });
      results.push({ y: out.y.data as Float32Array, expected: sign * K });
    } finally {
      await session.release();
    }
  }
  return results;
};

export async function checkInt8Kernel(opts: Partial<QuantizeOptions>, run: KernelRun = runWorstCase): Promise<KernelCheck> {
  let worst: KernelCheck = { ok: true, got: 0, expected: 0 };
  for (const { y, expected } of await run({ ...DEFAULT_QUANTIZE, ...opts })) {
    for (const v of y) {
      if (!(Math.abs(v - expected) < 1e-3 * Math.abs(expected))) worst = { ok: false, got: v, expected };
    }
  }
  return worst;
}
