// Where a lone query's time goes (issue: int8 for the CPU, part 4): in one
// process, alternating call by call on the same token ids, the bare backbone
// session with the Predictor's session options, the engine's model on this
// thread (backbone + heads), and the Predictor end to end (tokenizer,
// scheduler, worker thread, heads, output). The scheduler's batch time (the
// worker round trip) splits the Predictor's remainder.
//   npx tsx bench/lone-query.ts [--weights DIR] [--precision fp32|int8] [--rounds 60]
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Predictor } from '../predict.ts';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { BgeM3Onnx, sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision } from '../src/engine/onnx/precision.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { quantile } from './stats.ts';

const QUERY = 'what is the capital of France?';
const NEED = { dense: true, sparse: true, colbert: false };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { weights: { type: 'string' }, precision: { type: 'string', default: 'fp32' }, rounds: { type: 'string', default: '60' } },
  });
  const precision = values.precision === 'int8' ? 'int8' : 'fp32';
  const rounds = Number(values.rounds);
  const dir = values.weights ?? ensureFullModel(console.log);
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; int8: ${machine.int8}; load average before: ${loadAverage()}`);
  const files = await findModelFiles(dir);
  const ids = (await BgeTokenizer.fromFile(files.tokenizer)).encode(QUERY, 8192).ids;
  const settings = { precision } as const;
  const { modelPath } = await loadPrecision(files.model, settings);
  const { session } = await openBackbone(modelPath, sessionOptions(settings));
  const engine = await BgeM3Onnx.load(files, settings);
  const predictor = new Predictor();
  const batchMs: number[] = [];
  predictor.observe({ batch: (s) => batchMs.push(s.seconds * 1000) });
  await predictor.setup({ weights: dir, precision, log: () => {} });

  const feeds = () => {
    const dims = [1, ids.length];
    return {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    };
  };
  const hidden = session.outputNames.includes('token_embeddings') ? 'token_embeddings' : session.outputNames[0];
  const systems: Record<string, () => Promise<unknown>> = {
    'bare backbone session': () => session.run(feeds(), [hidden]),
    'engine model (backbone + heads), this thread': () => engine.run([ids], NEED),
    'Predictor.predict (dense + sparse)': () => predictor.predict({ texts: [QUERY], return_dense: true, return_sparse: true }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(systems).map((k) => [k, []]));
  for (let r = 0; r < rounds + 5; r++) {
    for (const [name, run] of Object.entries(systems)) {
      const t0 = performance.now();
      await run();
      if (r >= 5) times[name].push(performance.now() - t0);
    }
  }
  const bare = quantile(times['bare backbone session'], 0.5);
  console.log(`\n${ids.length} token ids, ${precision}, ${rounds} rounds after 5 warm-up, alternating; load average after: ${loadAverage()}\n`);
  console.log('| system | p50 ms | min ms | p50 / bare |\n|---|---:|---:|---:|');
  for (const [name, t] of Object.entries(times)) {
    console.log(`| ${name} | ${quantile(t, 0.5).toFixed(1)} | ${Math.min(...t).toFixed(1)} | ${(quantile(t, 0.5) / bare).toFixed(3)} |`);
  }
  const worker = quantile(batchMs.slice(-rounds), 0.5);
  console.log(`| (of which the Predictor's batch: scheduler to worker and back) | ${worker.toFixed(1)} | | ${(worker / bare).toFixed(3)} |`);
  await predictor.close();
  await engine.release();
  await session.release();
}

await main();
