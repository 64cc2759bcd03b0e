// The main-thread handle of the pooling thread (pool-thread.ts): pool() sends
// a text's ColBERT rows and resolves with the pooled ones, so a long text's
// pooling never stalls the event loop. Started on first use (most servers
// never pool); one text at a time, in order; an idle thread does not keep the
// process alive. If the thread dies, what it held fails and the next call
// starts another.
import { Worker } from 'node:worker_threads';
import { poolColbert, pooledRowCount } from '../colbert-pooling.ts';

export interface ToPoolThread {
  id: number;
  flat: Float32Array;
  dim: number;
  factor: number;
}

export type FromPoolThread = { id: number; pooled: Float32Array } | { id: number; message: string };

/** Rows below which pooling stays on the calling thread: the round trip costs more than the work. */
export const POOL_IN_THREAD_FROM_ROWS = 64;

interface Pending {
  resolve: (rows: Float32Array) => void;
  reject: (err: Error) => void;
}

export class ColbertPooler {
  private worker: Worker | null = null;
  private closed = false;
  /** `threads`: onnxruntime's threads for the distances (BGE_M3_THREADS); default the number of CPUs. */
  constructor(private readonly threads?: number) {}

  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** The pooled rows of one text (`flat`: n rows of `dim`); the rows themselves when nothing is pooled. */
  pool(flat: Float32Array, dim: number, factor: number): Promise<Float32Array> {
    const n = flat.length / dim;
    if (pooledRowCount(n, factor) === n) return Promise.resolve(flat);
    if (n < POOL_IN_THREAD_FROM_ROWS) return Promise.resolve(poolColbert(flat, dim, factor));
    if (this.closed) return Promise.reject(new Error('The pooling thread was closed.'));
    const worker = this.start();
    const id = this.nextId++;
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy goes (moved, not cloned again): the exact rows stay for the exact scores.
      const copy = flat.slice();
      worker.postMessage({ id, flat: copy, dim, factor } satisfies ToPoolThread, [copy.buffer as ArrayBuffer]);
    });
  }

  /** Fails what the thread holds and every later pool() that needs the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('The pooling thread was closed.'));
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const entry = new URL('./pool-thread.ts', import.meta.url).href;
    // engine/worker/boot.mjs registers tsx in the new thread, then imports the entry.
    const worker = new Worker(new URL('../../engine/worker/boot.mjs', import.meta.url), { workerData: { entry, threads: this.threads } });
    worker.unref();
    worker.on('message', (msg: FromPoolThread) => this.onMessage(msg));
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.fail(err);
    };
    worker.on('error', (err) => died(new Error(`The pooling thread crashed: ${err.message}`)));
    worker.on('exit', (code) => died(new Error(`The pooling thread exited (code ${code}).`)));
    this.worker = worker;
    return worker;
  }

  private onMessage(msg: FromPoolThread): void {
    const p = this.pending.get(msg.id);
    this.pending.delete(msg.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('pooled' in msg) p?.resolve(msg.pooled);
    else p?.reject(new Error(`ColBERT pooling failed: ${msg.message}`));
  }

  private fail(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
