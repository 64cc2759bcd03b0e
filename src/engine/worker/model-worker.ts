// The main-thread handle of the onnxruntime worker (thread.ts):
// the same run(batch, need) as BgeM3Onnx, but the forward pass happens on
// another thread, so the event loop keeps serving health checks, cancels and
// other requests while a batch runs.
import { Worker } from 'node:worker_threads';
import type { ModelFiles } from '../weights/model-files.ts';
import type { FromWorker, ModelSummary, ToWorker, WorkerInit } from './protocol.ts';
import type { Layout, SessionSettings } from '../onnx/onnx-model.ts';
import type { Need, Pool, TextEmbedding, TokenIds } from '../types.ts';

interface Pending {
  resolve: (out: TextEmbedding[]) => void;
  reject: (err: Error) => void;
}

export class ModelWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | null = null;
  private releasing: Promise<void> | null = null;
  private onDeath: (err: Error) => void = () => {};
  /** Resolves with the reason when the thread dies on its own (crash, exit); never after release(). */
  readonly death = new Promise<Error>((resolve) => (this.onDeath = resolve));

  private constructor(
    private readonly worker: Worker,
    private readonly summary: ModelSummary,
  ) {
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.die(new Error(`The model worker crashed: ${err.message}`)));
    worker.on('exit', (code) => this.die(new Error(`The model worker exited (code ${code}).`)));
    // An idle worker must not keep the process alive; a busy one must.
    worker.unref();
  }

  get layout(): Layout {
    return this.summary.layout;
  }
  get fixedBatch(): number | null {
    return this.summary.fixedBatch;
  }
  get attention(): string {
    return this.summary.attention;
  }
  get precision(): string {
    return this.summary.precision;
  }
  get int8Weights(): ModelSummary['int8Weights'] {
    return this.summary.int8Weights;
  }

  static start(files: ModelFiles, settings: SessionSettings = {}): Promise<ModelWorker> {
    const init: WorkerInit = { entry: new URL('./thread.ts', import.meta.url).href, files, settings };
    const worker = new Worker(new URL('./boot.mjs', import.meta.url), { workerData: init });
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        void worker.terminate();
        reject(err);
      };
      worker.once('error', fail);
      worker.once('message', (msg: FromWorker) => {
        worker.off('error', fail);
        if (msg.kind === 'ready') resolve(new ModelWorker(worker, msg.summary));
        else fail(new Error(msg.kind === 'setup-failed' ? msg.message : `unexpected first message from the model worker: ${msg.kind}`));
      });
    });
  }

  run(batch: TokenIds[], need: Need, pools?: (Pool[] | undefined)[]): Promise<TextEmbedding[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(pools ? { kind: 'run', id, batch, need, pools } : { kind: 'run', id, batch, need });
    });
  }

  /**
   * Fails the batches in flight at once (the thread finishes the one it runs,
   * then frees its sessions), refuses new ones, and resolves once the thread
   * is gone. Safe to call twice, and while the thread dies.
   */
  release(): Promise<void> {
    this.releasing ??= this.stop();
    return this.releasing;
  }

  private async stop(): Promise<void> {
    if (this.dead) return;
    const released = new Promise<void>((resolve) => {
      const onMessage = (msg: FromWorker) => {
        if (msg.kind !== 'released') return;
        this.worker.off('message', onMessage);
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () => resolve());
    });
    // Referenced until the thread is gone, whatever onMessage does meanwhile: else the process may exit under an awaited release().
    this.worker.ref();
    this.post({ kind: 'release' });
    this.die(new Error('The model was released.'), false);
    await released;
    await this.worker.terminate();
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.kind !== 'result' && msg.kind !== 'error') return;
    const p = this.pending.get(msg.id);
    this.pending.delete(msg.id);
    if (this.pending.size === 0 && !this.releasing) this.worker.unref();
    if (msg.kind === 'result') p?.resolve(msg.out);
    else p?.reject(new Error(msg.message));
  }

  /** `crashed`: the thread died on its own (the supervisor is told), rather than being released. */
  private die(err: Error, crashed = true): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (crashed) this.onDeath(err);
  }
}
