// `npm start` on a fresh machine: when ./weights does not hold the pinned
// BAAI/bge-m3 files yet, setup first downloads them (resumable, verified),
// with a progress bar on stderr and progress lines in the setup logs. The
// serve command wraps the Predictor in this only for the project's own
// ./weights: a directory the user named is never downloaded into.
import type { Predictor, SetupOptions } from '../../predict.ts';
import { REPO_ID, downloadWeights, weightsPresent } from '../engine/weights/index.ts';
import type { PredictorLike } from '../server/types.ts';
import { ProgressBar } from './weights-progress.ts';
import { setting } from '../settings.ts';

export function withWeightsDownload(predictor: Predictor, dir: string): PredictorLike {
  return {
    async setup(opts: SetupOptions = {}) {
      if (!(await weightsPresent(dir, setting('BGE_M3_REVISION')))) {
        const log = opts.log ?? ((line: string) => console.log(line));
        log(
          `The weights are not in ${dir} yet: downloading ${REPO_ID} (about 2.3 GB; an interrupted download resumes). Set BGE_M3_WEIGHTS to use a local copy instead.`,
        );
        const bar = new ProgressBar();
        try {
          await downloadWeights({
            dir,
            onProgress: bar.update,
            log: (line) => {
              bar.log(line);
              log(line);
            },
          });
        } finally {
          bar.finish();
        }
      }
      await predictor.setup({ ...opts, weights: dir });
    },
    predict: (input, ctx) => predictor.predict(input, ctx),
  };
}
