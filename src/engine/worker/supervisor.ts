// Keeps a model worker alive. When the thread dies (a native crash, an
// out-of-memory abort, process.exit inside onnxruntime), the batch it was
// running fails with the reason, the supervisor says so, and it starts a new
// worker, at most `maxRestarts` times over the process's life. Batches that
// arrive meanwhile wait for the new worker. Once the budget is spent the model
// is defunct: every batch fails with a message that says so.
import type { ModelWorker } from './model-worker.ts';
import type { Need, Pool, TextEmbedding, TokenIds } from '../types.ts';

export type WorkerState = 'alive' | 'restarting' | 'defunct';

export interface WorkerStatus {
  state: WorkerState;
  /** Restarts so far. */
  restarts: number;
  maxRestarts: number;
  /** Why the last worker died (and, when defunct, why no new one runs). */
  message?: string;
}

export class WorkerSupervisor {
  private worker: ModelWorker;
  private replacing: Promise<ModelWorker> | null = null;
  private status: WorkerStatus;
  private released = false;

  constructor(
    first: ModelWorker,
    private readonly startWorker: () => Promise<ModelWorker>,
    maxRestarts: number,
    private readonly notify: (status: WorkerStatus) => void,
  ) {
    this.worker = first;
    this.status = { state: 'alive', restarts: 0, maxRestarts };
    this.watch(first);
  }

  get current(): WorkerStatus {
    return { ...this.status };
  }

  async run(batch: TokenIds[], need: Need, pools?: (Pool[] | undefined)[]): Promise<TextEmbedding[]> {
    if (this.status.state === 'defunct') throw new Error(defunctMessage(this.status));
    const worker = this.replacing
      ? await this.replacing.catch((err: Error) => {
          throw new Error(`The model worker died and a new one failed to start: ${err.message}`);
        })
      : this.worker;
    return worker.run(batch, need, pools);
  }

  async release(): Promise<void> {
    this.released = true;
    await this.replacing?.catch(() => {});
    await this.worker.release();
  }

  private watch(worker: ModelWorker): void {
    void worker.death.then((err) => {
      if (!this.released && worker === this.worker) this.onDeath(err);
    });
  }

  private onDeath(err: Error): void {
    if (this.status.restarts >= this.status.maxRestarts) {
      this.set({ state: 'defunct', message: err.message });
      return;
    }
    this.set({ state: 'restarting', restarts: this.status.restarts + 1, message: err.message });
    const replacing = this.startWorker();
    this.replacing = replacing;
    replacing.then(
      (worker) => {
        this.replacing = null;
        this.worker = worker;
        this.watch(worker);
        // release() awaits `replacing` and then releases this.worker, i.e. this one.
        if (!this.released) this.set({ state: 'alive' });
      },
      (startErr: Error) => {
        this.replacing = null;
        // A failed start spends an attempt like a death does.
        this.onDeath(new Error(`${err.message} Starting a new worker failed: ${startErr.message}`));
      },
    );
    replacing.catch(() => {}); // batches awaiting it see the rejection; this one is handled above
  }

  private set(change: Partial<WorkerStatus>): void {
    this.status = { ...this.status, ...change };
    this.notify(this.current);
  }
}

export function defunctMessage(s: WorkerStatus): string {
  return `The model is defunct: its worker thread died (${s.message ?? 'unknown reason'}) and ${s.maxRestarts === 0 ? 'restarts are off' : `all ${s.maxRestarts} restarts are spent`} (BGE_M3_WORKER_RESTARTS). Restart the server.`;
}
