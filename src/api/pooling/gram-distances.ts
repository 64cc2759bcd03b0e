// The condensed 1 − cos matrix of ColBERT rows with onnxruntime's GEMM in
// float64: the rows' dot products are a matrix product, which MLAS computes
// tens of times faster than a JavaScript loop (BENCHMARKS.md,
// colbert_pool_factor), in float64 as SciPy's oracle computes x @ x.T, so the
// Ward partitions stay SciPy's. Row blocks at a time: block s gives rows
// [s, s + m) against rows [s, n), the upper triangle only, and never holds
// more than TILE_ROWS × n products besides the condensed matrix.
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder } from '../../engine/onnx/graph-builder.ts';

/** Rows per GEMM: a 1024 × 8191 float64 block is 64 MiB. */
export const TILE_ROWS = 1024;

export class GramDistances {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(threads: number): Promise<GramDistances> {
    const g = new GraphBuilder();
    const a = g.input('a', DataType.DOUBLE, ['m', 'dim']);
    const b = g.input('b', DataType.DOUBLE, ['n', 'dim']);
    g.op('Gemm', [a, b], { transB: 1 }, 'out');
    g.output('out', DataType.DOUBLE, ['m', 'n']);
    return new GramDistances(await ort.InferenceSession.create(g.build().model, { intraOpNumThreads: threads }));
  }

  /** 1 − cos of every pair (i < j) of the n rows in `flat`, condensed (SciPy's order), in float64. */
  async condensed(flat: Float32Array, dim: number): Promise<Float64Array> {
    const n = flat.length / dim;
    const x = Float64Array.from(flat);
    const norms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += x[i * dim + d] * x[i * dim + d];
      norms[i] = Math.sqrt(s);
    }
    const out = new Float64Array((n * (n - 1)) / 2);
    for (let s = 0; s < n - 1; s += TILE_ROWS) {
      const m = Math.min(TILE_ROWS, n - s);
      const rest = n - s;
      const a = new ort.Tensor('float64', x.subarray(s * dim, (s + m) * dim), [m, dim]);
      const b = new ort.Tensor('float64', x.subarray(s * dim), [rest, dim]);
      const gram = (await this.session.run({ a, b })).out.data as Float64Array;
      for (let i = 0; i < m; i++) {
        const row = s + i;
        // Condensed index of (row, row + 1), then consecutive along the row.
        let at = n * row - (row * (row + 1)) / 2;
        for (let j = i + 1; j < rest; j++) out[at++] = 1 - gram[i * rest + j] / (norms[row] * norms[s + j] || 1);
      }
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
