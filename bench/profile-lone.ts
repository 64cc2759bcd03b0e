// onnxruntime's profiler on a lone query through the backbone as served
// (attention rewrite included): per operator type, ms per pass, calls and µs
// per call, for fp32 and int8. The profiler times every node, which slows
// small operators more than large ones: read it as where the time goes.
//   npx tsx bench/profile-lone.ts [--tokens 16] [--runs 20] [--weights DIR]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { openBackbone } from '../src/engine/onnx/backbone-session.ts';
import { sessionOptions } from '../src/engine/onnx/onnx-model.ts';
import { loadPrecision, type Precision } from '../src/engine/onnx/precision.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { opShares, perOperator } from './profile-ops.ts';

async function profile(model: string, precision: Precision, tokens: number, runs: number): Promise<string> {
  const { modelPath } = await loadPrecision(model, { precision });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bge-m3-profile-'));
  const { session } = await openBackbone(modelPath, { ...sessionOptions(), enableProfiling: true, profileFilePrefix: path.join(dir, 'run') });
  const ids = BigInt64Array.from({ length: tokens }, (_, i) => BigInt(i === 0 ? 0 : 5 + ((i * 7919) % 3990)));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [1, tokens]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(tokens).fill(1n), [1, tokens]),
  };
  for (let i = 0; i < runs + 3; i++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  const shares = opShares(path.join(dir, readdirSync(dir)[0]), runs);
  rmSync(dir, { recursive: true, force: true });
  const pass = shares.reduce((a, s) => a + s.passMs, 0) / shares.length;
  const ops = perOperator(shares);
  const named = ops.reduce((a, o) => a + o.msPerPass, 0);
  return [
    `${precision}, ${tokens} tokens, profiled pass ${pass.toFixed(1)} ms (mean of ${runs}); operators ${named.toFixed(1)} ms, between them ${(pass - named).toFixed(1)} ms.`,
    '',
    '| operator | ms per pass | share | calls | µs per call |',
    '|---|---:|---:|---:|---:|',
    ...ops
      .filter((o) => o.msPerPass >= 0.05)
      .map(
        (o) =>
          `| ${o.op} | ${o.msPerPass.toFixed(2)} | ${((100 * o.msPerPass) / pass).toFixed(0)} % | ${o.callsPerPass.toFixed(0)} | ${o.usPerCall.toFixed(0)} |`,
      ),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tokens: { type: 'string', default: '16' }, runs: { type: 'string', default: '20' }, weights: { type: 'string' } },
  });
  const files = await findModelFiles(values.weights ?? ensureFullModel(console.error));
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; int8: ${machine.int8}; load average before: ${loadAverage()}\n`);
  for (const precision of ['fp32', 'int8'] as const) console.log(`${await profile(files.model, precision, Number(values.tokens), Number(values.runs))}\n`);
  console.log(`load average after: ${loadAverage()}`);
}

await main();
