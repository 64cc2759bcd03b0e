// Counts the Predictor's forward passes (batches, padded tokens, time until
// each returns) by wrapping ModelWorker.run: instrumentation for the benchmark only.
import { ModelWorker } from '../../src/engine/worker/model-worker.ts';

export interface ModelProbe {
  batches: number;
  paddedTokens: number;
  ms: number;
  reset(): void;
}

export function probeModelRuns(): ModelProbe {
  const probe: ModelProbe = {
    batches: 0,
    paddedTokens: 0,
    ms: 0,
    reset() {
      this.batches = 0;
      this.paddedTokens = 0;
      this.ms = 0;
    },
  };
  const run = ModelWorker.prototype.run;
  ModelWorker.prototype.run = async function (this: ModelWorker, batch, need) {
    const start = performance.now();
    try {
      return await run.call(this, batch, need);
    } finally {
      probe.ms += performance.now() - start;
      probe.batches++;
      probe.paddedTokens += Math.max(batch.length, this.fixedBatch ?? 0) * Math.max(...batch.map((t) => t.length));
    }
  };
  return probe;
}
