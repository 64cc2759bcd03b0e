// How much of a lone query's forward pass is the encoder's weight products:
// the 144 weight products of BGE-M3's 24 layers (q, k, v, attention output,
// FFN in and out, each with its bias; random weights of the real shapes, put
// through the int8 rewrite for int8) chained alone, against the whole backbone
// session as served, on the same number of tokens, in one process, calls
// alternating. Wall and CPU time (all threads) per call; graph rewrites that
// fuse or drop the other operators can at most close the gap between the two.
//   npx tsx bench/lone-floor.ts [--precision int8|fp32] [--tokens 10,16] [--reps 60] [--weights DIR]
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { DataType, GraphBuilder } from '../src/engine/onnx/graph-builder.ts';
import { sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision, type Precision } from '../src/engine/onnx/precision.ts';
import { DEFAULT_QUANTIZE, quantizeMatMuls } from '../src/engine/onnx/quantize-matmuls.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { BGE_M3_FULL } from '../tools/fixtures/test-model/config.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { alternateCalls, quantile } from './stats.ts';

/** The encoder's weight products alone: per layer q, k, v from x, their sum through the output dense, then the FFN. */
function productsGraph(precision: Precision): Uint8Array {
  const { hidden: h, intermediate: f, layers } = BGE_M3_FULL;
  const random = seededRandom(11);
  const g = new GraphBuilder();
  let x = g.input('x', DataType.FLOAT, [1, 'S', h]);
  const linear = (name: string, input: string, k: number, n: number) => {
    const w = g.init(
      `${name}.w`,
      Float32Array.from({ length: k * n }, () => (random() - 0.5) * 0.05),
      [k, n],
    );
    return g.op('Add', [g.op('MatMul', [input, w]), g.init(`${name}.b`, new Float32Array(n), [n])]);
  };
  for (let l = 0; l < layers; l++) {
    const qkv = g.op('Add', [g.op('Add', [linear(`${l}.q`, x, h, h), linear(`${l}.k`, x, h, h)]), linear(`${l}.v`, x, h, h)]);
    x = linear(`${l}.ffn_out`, linear(`${l}.ffn_in`, linear(`${l}.attn_out`, qkv, h, h), h, f), f, h);
  }
  g.op('Identity', [x], {}, 'y');
  g.output('y', DataType.FLOAT, [1, 'S', h]);
  const { model } = g.build();
  if (precision === 'fp32') return model;
  const m = onnxProto.onnx.ModelProto.decode(model);
  // 8-bit weights: this benchmark is about VNNI hosts; the kernel's speed does not depend on the weights' range.
  quantizeMatMuls(m, '.', { ...DEFAULT_QUANTIZE, reduceRange: false });
  return onnxProto.onnx.ModelProto.encode(m).finish();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      precision: { type: 'string', default: 'int8' },
      tokens: { type: 'string', default: '10,16' },
      reps: { type: 'string', default: '60' },
      weights: { type: 'string' },
    },
  });
  const precision: Precision = values.precision === 'fp32' ? 'fp32' : 'int8';
  const files = await findModelFiles(values.weights ?? ensureFullModel(console.error));
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; int8: ${machine.int8}; ${precision}; load average before: ${loadAverage()}\n`);
  const { modelPath } = await loadPrecision(files.model, { precision });
  const backbone = (await openBackbone(modelPath, sessionOptions())).session;
  const products = await ort.InferenceSession.create(productsGraph(precision), sessionOptions());
  const hidden = backbone.outputNames.includes('token_embeddings') ? 'token_embeddings' : backbone.outputNames[0];
  console.log('| tokens | backbone p50 ms (CPU ms) | weight products alone p50 ms (CPU ms) | products / backbone: wall (CPU) |\n|---|---:|---:|---:|');
  for (const n of values.tokens!.split(',').map(Number)) {
    const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i === 0 ? 0 : 5 + ((i * 7919) % 3990)));
    const runs = {
      backbone: () =>
        backbone.run({ input_ids: new ort.Tensor('int64', ids, [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) }, [
          hidden,
        ]),
      products: () =>
        products.run({
          x: new ort.Tensor(
            'float32',
            Float32Array.from({ length: n * BGE_M3_FULL.hidden }, (_, i) => Math.sin(i)),
            [1, n, BGE_M3_FULL.hidden],
          ),
        }),
    };
    const times = await alternateCalls(runs, Number(values.reps), 3);
    const w = (k: 'backbone' | 'products') => quantile(times[k].wall, 0.5);
    const c = (k: 'backbone' | 'products') => quantile(times[k].cpu, 0.5);
    console.log(
      `| ${n} | ${w('backbone').toFixed(1)} (${c('backbone').toFixed(1)}) | ${w('products').toFixed(1)} (${c('products').toFixed(1)}) | ${(w('products') / w('backbone')).toFixed(3)} (${(c('products') / c('backbone')).toFixed(3)}) |`,
    );
  }
  console.log(`\n${values.reps} rounds after 3 warm-up ones; load average after: ${loadAverage()}`);
  await Promise.all([backbone.release(), products.release()]);
}

await main();
