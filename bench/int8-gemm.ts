// The ceiling of one big weight product in onnxruntime-node here, fp32 and
// int8, in each kernel the int8 rewrite can reach and in MatMulNBits:
//   npx tsx bench/int8-gemm.ts [--rounds N] [--threads N]
// Each graph is a chain of LINKS feed-forward pairs, x·W1 + b1 then ·W2 + b2
// with BGE-M3's FFN shapes (1024 → 4096 → 1024), distinct weights: 268 MB in
// fp32, 67 MB in int8, both beyond the 32 MB L3, as in the real encoder. The
// int8 graphs are that fp32 graph put through quantizeMatMuls itself.
// M = 1024 rows (8 passages of 128 tokens) measures compute; M = 1 how fast
// the weights stream from memory; M = 10 (one query) lies between. Rounds alternate
// the variants, so a busy minute on a shared machine hits all of them.
import os from 'node:os';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder } from '../src/engine/onnx/graph-builder.ts';
import { DEFAULT_QUANTIZE, quantizeMatMuls, type QuantizeOptions } from '../src/engine/onnx/quantize-matmuls.ts';
import { sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { setting } from '../src/settings.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { loadAverage } from './machine.ts';
import { toMatMulNBits } from './int8-nbits.ts';

const K = 1024;
const N = 4096;
const ROWS = [1024, 10, 1];
const LINKS = 8;

// The three DynamicQuantizeMatMul forms fuse into the same kernel at graph
// optimization level 'all' (checked with optimizedModelFilePath), and per-tensor
// scales use the same kernel, so only the kernels that differ are timed here,
// plus MatMulNBits (int8-nbits.ts), the other integer operator onnxruntime has.
type Rewrite = (model: onnxProto.onnx.IModelProto) => void;
/** How each variant rewrites the fp32 graph (none: fp32 itself), and the bytes one weight takes. */
interface Variant {
  rewrite: Rewrite | null;
  bytesPerWeight: number;
}
const quantized = (q: Partial<QuantizeOptions>): Variant => ({
  rewrite: (model) => void quantizeMatMuls(model, '.', { ...DEFAULT_QUANTIZE, ...q }),
  bytesPerWeight: 1,
});
/** One byte per weight plus a float scale per block. */
const nbits = (block: number): Variant => ({ rewrite: (model) => toMatMulNBits(model, block, 4), bytesPerWeight: 1 + 4 / block });
const VARIANTS: Record<string, Variant> = {
  fp32: { rewrite: null, bytesPerWeight: 4 },
  'DynamicQuantizeMatMul s8 per-channel': quantized({ weightType: 'int8', reduceRange: false }),
  'DynamicQuantizeMatMul s8 7-bit per-channel (default)': quantized({ weightType: 'int8', reduceRange: true }),
  'DynamicQuantizeMatMul u8 per-channel': quantized({ weightType: 'uint8', reduceRange: false }),
  'MatMulNBits 8-bit, blocks of 32, int8 compute (level 4)': nbits(32),
  'MatMulNBits 8-bit, blocks of 128, int8 compute (level 4)': nbits(128),
};

function graph(rewrite: Rewrite | null): Uint8Array {
  const random = seededRandom(7);
  const g = new GraphBuilder();
  let x = g.input('x', DataType.FLOAT, ['M', K]);
  const linear = (i: string, rows: number, cols: number) => {
    const w = g.init(
      `w${i}`,
      Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * 0.05),
      [rows, cols],
    );
    const b = g.init(
      `b${i}`,
      Float32Array.from({ length: cols }, () => random() * 0.1),
      [cols],
    );
    return g.op('Add', [g.op('MatMul', [x, w]), b]);
  };
  for (let l = 0; l < LINKS; l++) {
    x = linear(`${l}a`, K, N);
    x = linear(`${l}b`, N, K);
  }
  g.op('Identity', [x], {}, 'y');
  g.output('y', DataType.FLOAT, ['M', K]);
  const bytes = g.build({ opset: 17 }).model;
  if (!rewrite) return bytes;
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  rewrite(model);
  return onnxProto.onnx.ModelProto.encode(model).finish();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, threads: { type: 'string' } } });
  const rounds = Number(values.rounds);
  const threads = Number(values.threads ?? setting('BGE_M3_THREADS') ?? os.availableParallelism());
  console.log(`load average before: ${loadAverage()}; ${threads} threads; ${2 * LINKS} weights of ${K}×${N}`);
  const sessions = new Map<string, ort.InferenceSession>();
  for (const [name, v] of Object.entries(VARIANTS))
    sessions.set(name, await ort.InferenceSession.create(graph(v.rewrite), sessionOptions({ intraOpThreads: threads })));
  const times = new Map<string, number[]>();
  const random = seededRandom(11);
  const inputs = new Map(
    ROWS.map((m) => [
      m,
      new ort.Tensor(
        'float32',
        Float32Array.from({ length: m * K }, () => random() * 2 - 1),
        [m, K],
      ),
    ]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [name, s] of sessions) {
      for (const [m, x] of inputs) {
        const reps = m > 100 ? 1 : 10;
        await s.run({ x });
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) await s.run({ x });
        const key = `${name}|${m}`;
        times.set(key, [...(times.get(key) ?? []), (performance.now() - t0) / reps]);
      }
    }
  }
  const small = ROWS.slice(1);
  console.log(`\n| operator | M=${ROWS[0]}: ms | GOPS | ${small.map((m) => `M=${m}: ms | weight GB/s`).join(' | ')} |`);
  console.log(`|---|${'---:|'.repeat(2 + 2 * small.length)}`);
  const weights = 2 * LINKS * K * N;
  for (const name of sessions.keys()) {
    const best = (m: number) => Math.min(...times.get(`${name}|${m}`)!);
    const weightBytes = weights * VARIANTS[name].bytesPerWeight;
    const cells = [best(ROWS[0]).toFixed(1), ((2 * ROWS[0] * weights) / best(ROWS[0]) / 1e6).toFixed(1)];
    for (const m of small) cells.push(best(m).toFixed(2), (weightBytes / best(m) / 1e6).toFixed(1));
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  console.log(`\nload average after: ${loadAverage()}; best of ${rounds} rounds`);
}

await main();
