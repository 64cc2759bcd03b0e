// Runs the real server on the generated test model in its own process, for
// the browser tests: a server as deployed, whose main thread (and onnxruntime's
// worker threads) share nothing with Playwright's in the test process. Prints "LISTENING <url>" once listening; SIGTERM, or the
// parent closing stdin (as it does when it dies), stops it.
//
// With BGE_M3_TEST_HOOKS=1 it also takes commands on stdin, one a line, so a
// test can hold a batch in flight (src/engine/worker/test-hook.ts):
// "hold <n>" arms the model worker to hold its next batch, and prints
// "ARMED <n>", then "HOLDING <n>" once that batch is held; "resume <n>" lets it
// run. Lines are handled in order: "hold 2" then "resume 1" arms the second
// hold before the first batch runs on.
import { createInterface } from 'node:readline';
import { Predictor } from '../../../predict.ts';
import { holdModelWorkerOnNextRun, testHooksEnabled, type HeldRun } from '../../../src/engine/worker/test-hook.ts';
import { startServer } from '../../../src/server/start.ts';
import type { PredictorLike } from '../../../src/server/types.ts';
import { ensureTestModels } from '../model/test-models.ts';

/**
 * The real Predictor, with ONNX Runtime on one thread: the browser and the
 * test runner keep the other core, so the page stays responsive while a long
 * prediction runs.
 */
function oneThreadPredictor(): PredictorLike {
  const predictor = new Predictor();
  return {
    setup: (opts = {}) => predictor.setup({ ...opts, session: { intraOpThreads: 1 } }),
    predict: (input, ctx) => predictor.predict(input, ctx),
    rerank: (req, ctx) => predictor.rerank(req, ctx),
  };
}

const models = await ensureTestModels();
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  weights: models.dirs.official,
  banner: process.env.PLAYGROUND_BANNER,
  predictor: oneThreadPredictor(),
  log: () => {},
  config: { logLevel: 'error', shutdownGraceMs: 2000 },
});
process.stdout.write(`LISTENING ${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();
if (testHooksEnabled()) takeHoldCommands();

function takeHoldCommands(): void {
  const holds = new Map<string, Promise<HeldRun>>();
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [command, n] = line.trim().split(/\s+/);
    if (command === 'hold') {
      const arming = holdModelWorkerOnNextRun(); // posts the request now, before any later line is handled
      holds.set(n, arming);
      void arming.then(async (held) => {
        process.stdout.write(`ARMED ${n}\n`);
        await held.holding;
        process.stdout.write(`HOLDING ${n}\n`);
      });
    }
    if (command === 'resume') void holds.get(n)?.then((held) => held.resume());
  });
}
