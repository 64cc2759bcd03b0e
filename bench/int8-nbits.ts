// The other int8 operator the GEMM bench weighs: com.microsoft MatMulNBits
// with 8-bit blockwise weights (one scale per block of `block` rows of a
// column, stored unsigned around 128). At accuracy level 4 onnxruntime
// quantizes the activations to int8 per block too; at level 0 it dequantizes
// the weights to fp32. Bench-only: the rewrite ships DynamicQuantizeMatMul.
import onnxProto from 'onnx-proto';
import { dimsOf, floatValues } from '../src/engine/onnx/tensor-bytes.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** Rewrites every MatMul(x, W) + Add(bias) pair of a chain graph (as int8-gemm.ts builds it). */
export function toMatMulNBits(model: onnxProto.onnx.IModelProto, block: number, accuracyLevel: number): void {
  const graph = model.graph!;
  const inits = new Map(graph.initializer!.map((t) => [t.name!, t]));
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const kept: onnxProto.onnx.ITensorProto[] = [];
  const src = graph.node!;
  for (let i = 0; i < src.length; i++) {
    const matmul = src[i];
    if (matmul.opType !== 'MatMul') {
      nodes.push(matmul);
      continue;
    }
    const add = src[++i];
    const w = inits.get(matmul.input![1])!;
    const [k, n] = dimsOf(w);
    const { data, scales, blocks } = quantizeBlocks(floatValues(w, '.'), k, n, block);
    kept.push(
      { name: `${w.name}_q`, dims: [n, blocks, block], dataType: T.UINT8, rawData: data },
      { name: `${w.name}_scales`, dims: [n * blocks], dataType: T.FLOAT, rawData: new Uint8Array(scales.buffer) },
      inits.get(add.input![1])!,
    );
    const int = (name: string, v: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
    nodes.push({
      opType: 'MatMulNBits',
      domain: 'com.microsoft',
      name: add.output![0],
      input: [matmul.input![0], `${w.name}_q`, `${w.name}_scales`, '', '', add.input![1]],
      output: add.output,
      attribute: [int('K', k), int('N', n), int('bits', 8), int('block_size', block), int('accuracy_level', accuracyLevel)],
    });
  }
  graph.node = nodes;
  graph.initializer = kept;
  model.opsetImport!.push({ domain: 'com.microsoft', version: 1 });
}

/** W [k, n] as MatMulNBits stores it: column by column, blocks of `block` rows, q + 128 with q = round(w / scale). */
function quantizeBlocks(w: Float32Array, k: number, n: number, block: number): { data: Uint8Array; scales: Float32Array; blocks: number } {
  const blocks = Math.ceil(k / block);
  const data = new Uint8Array(n * blocks * block).fill(128);
  const scales = new Float32Array(n * blocks);
  for (let c = 0; c < n; c++) {
    for (let b = 0; b < blocks; b++) {
      const rows = Array.from({ length: Math.min(block, k - b * block) }, (_, j) => w[(b * block + j) * n + c]);
      const scale = Math.max(...rows.map(Math.abs)) / 127 || 1;
      scales[c * blocks + b] = scale;
      rows.forEach((v, j) => (data[(c * blocks + b) * block + j] = Math.round(v / scale) + 128));
    }
  }
  return { data, scales, blocks };
}
