// The model's side of health: whether the Predictor's worker thread is alive
// (it may die and be restarted, or be given up as defunct), and Cog's
// Kubernetes readiness file, present exactly while the server can predict.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WorkerStatus } from '../../engine/observer.ts';
import type { Logger } from '../log.ts';
import type { PredictorLike } from '../types.ts';

export class ModelHealth {
  worker: WorkerStatus | undefined;
  private setupDone = false;
  private shuttingDown = false;
  private fileWritten = false;
  private fileBroken = false;

  constructor(
    private readonly log: Logger,
    private readonly readyFile: string | null,
  ) {}

  /** Follows the Predictor's worker, if it reports one. */
  watch(predictor: PredictorLike): void {
    predictor.observe?.({ worker: (status) => this.onWorker(status) });
  }

  /** Setup succeeded: the model can predict. */
  setupSucceeded(): void {
    this.setupDone = true;
    this.sync();
  }

  /** Shutdown began: no longer ready. */
  shutdownStarted(): void {
    this.shuttingDown = true;
    this.sync();
  }

  /** True while predictions can run: setup done, worker alive, not shutting down. */
  get ready(): boolean {
    return this.setupDone && !this.shuttingDown && (this.worker === undefined || this.worker.state === 'alive');
  }

  /** The health check's `worker` object, once the worker has died at least once (absent otherwise, as in Cog). */
  workerJson(): Record<string, unknown> | undefined {
    const w = this.worker;
    if (!w || (w.state === 'alive' && w.restarts === 0)) return undefined;
    return { state: w.state, restarts: w.restarts, max_restarts: w.maxRestarts, ...(w.message ? { message: w.message } : {}) };
  }

  private onWorker(status: WorkerStatus): void {
    this.worker = status;
    const why = status.message?.replace(/\.$/, '');
    if (status.state === 'restarting')
      this.log.error(`model worker died: ${why}; starting a new one (restart ${status.restarts} of ${status.maxRestarts}). The batch it was running failed.`);
    else if (status.state === 'alive') this.log.warn(`model worker restarted (restart ${status.restarts} of ${status.maxRestarts}); ready again`);
    else
      this.log.error(
        `model DEFUNCT: the worker died (${why}) and no restart is left (BGE_M3_WORKER_RESTARTS=${status.maxRestarts}); predictions fail until the server is restarted`,
      );
    this.sync();
  }

  /** Writes or removes the readiness file to match `ready`. */
  private sync(): void {
    if (!this.readyFile || this.fileBroken) return;
    const want = this.ready;
    if (want === this.fileWritten) return;
    try {
      if (want) {
        mkdirSync(dirname(this.readyFile), { recursive: true });
        writeFileSync(this.readyFile, '');
      } else {
        rmSync(this.readyFile, { force: true });
      }
      this.fileWritten = want;
    } catch (err) {
      this.fileBroken = true;
      this.log.warn(
        `readiness file ${this.readyFile}: ${(err as Error).message}; not using it (set BGE_M3_READY_FILE to a writable path, or to "" to turn it off)`,
      );
    }
  }
}
