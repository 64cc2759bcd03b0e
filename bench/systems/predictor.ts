// Our Predictor in-process; as the naive baseline, the same Predictor with
// arrival-order batches of 12 texts and no token budget.
import path from 'node:path';
import { Predictor } from '../../predict.ts';
import type { Precision } from '../../src/engine/onnx/precision.ts';
import { driveClients } from '../clients.ts';
import type { ChildJob, RunResult, WorkloadData } from '../types.ts';
import { ourTokenizeMs, peakRss, realTokens, withLoopWatch } from './measure.ts';
import { probeModelRuns } from './model-probe.ts';

/** FlagEmbedding's BGEM3FlagModel.encode default (reference/bge-m3-inference.md). */
export const NAIVE_BATCH_SIZE = 12;

export async function runPredictor(job: ChildJob, w: WorkloadData, naive: boolean, precision: Precision = 'fp32'): Promise<RunResult> {
  const probe = probeModelRuns();
  const setupStart = performance.now();
  const predictor = new Predictor();
  await predictor.setup({
    weights: job.modelDir,
    log: () => {},
    maxBatchTokens: job.maxBatchTokens,
    precision,
    scheduler: naive ? { arrivalBatchSize: NAIVE_BATCH_SIZE } : undefined,
  });
  await predictor.predict({ texts: ['warm up'] });
  const setupMs = performance.now() - setupStart;
  const rssAfterSetup = process.memoryUsage().rss;
  probe.reset();
  const { value: run, maxStallMs } = await withLoopWatch(() =>
    driveClients(w, async (texts) => {
      const out = await predictor.predict({ texts: texts.map((t) => t.text) });
      out.token_counts.forEach((n, i) => {
        if (n !== texts[i].ids.length) throw new Error(`the predictor saw ${n} tokens where the workload has ${texts[i].ids.length}`);
      });
    }),
  );
  const peak = peakRss();
  await predictor.close();
  return {
    system: naive ? 'naive' : precision === 'int8' ? 'predictor-int8' : 'predictor',
    workload: w.name,
    wallMs: run.wallMs,
    texts: w.texts.length,
    tokens: realTokens(w),
    ranTokens: probe.paddedTokens,
    batches: probe.batches,
    modelMs: probe.ms,
    latenciesMs: run.latenciesMs,
    setupMs,
    rssAfterSetup,
    peakRss: peak,
    tokenizeMs: await ourTokenizeMs(path.join(job.modelDir, 'tokenizer.json'), w),
    maxLoopStallMs: maxStallMs,
    notes: [],
  };
}
