// `npm start` on a fresh machine: when the project's own ./weights is empty
// (and no BGE_M3_WEIGHTS / COG_WEIGHTS points elsewhere), setup first
// downloads BAAI/bge-m3 into it, with progress on stderr and in the setup logs.
// A directory the user named is never downloaded into.
import path from 'node:path';
import type { Predictor, SetupOptions } from '../../predict.ts';
import { DEFAULT_WEIGHTS_DIR, ProgressBar, downloadWeights, weightsPresent } from '../engine/weights/index.ts';
import type { PredictorLike } from '../server/types.ts';

export function withWeightsDownload(predictor: Predictor, dir: string): PredictorLike {
  return {
    async setup(opts: SetupOptions = {}) {
      if (shouldDownload(dir) && !(await weightsPresent(dir))) {
        const log = opts.log ?? ((line: string) => console.log(line));
        log(`No weights in ${dir} yet: downloading BAAI/bge-m3 (about 2.3 GB, resumable). Set BGE_M3_WEIGHTS to use a local copy instead.`);
        const bar = new ProgressBar();
        try {
          await downloadWeights({ dir, onProgress: bar.update, log: (line) => { bar.log(line); log(line); } });
        } finally {
          bar.finish();
        }
      }
      await predictor.setup({ ...opts, weights: dir });
    },
    predict: (input, ctx) => predictor.predict(input, ctx),
  };
}

function shouldDownload(dir: string): boolean {
  if (process.env.BGE_M3_WEIGHTS || process.env.COG_WEIGHTS) return false;
  return path.resolve(dir) === path.resolve(DEFAULT_WEIGHTS_DIR);
}
