// Runs predictions on the Predictor: slots, the /v1 waiting queue, cancel.
// Knows nothing about HTTP or ids; routes decide what to do when it says no.
import { ClientError } from '../../api/errors.ts';
import { clientMessage } from '../http/client-message.ts';
import type { Prediction } from './prediction.ts';
import type { PredictorLike } from '../types.ts';

type Gate = { state: 'starting' } | { state: 'ready' } | { state: 'failed'; message: string };

export class Runner {
  private readonly running = new Set<Prediction>();
  private readonly queue: Prediction[] = [];
  private gate: Gate = { state: 'starting' };

  constructor(
    private readonly predictor: PredictorLike,
    readonly slots: number,
    private readonly queueMax: number,
    /** Where a failed prediction's stack goes; clients only ever see its message. */
    private readonly logError: (line: string) => void = () => {},
  ) {}

  get ready(): boolean {
    return this.gate.state === 'ready';
  }

  /** True when every slot is taken (health BUSY, Cog creates get 409). */
  get busy(): boolean {
    return this.running.size >= this.slots;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** Setup succeeded: start taking work, beginning with what waited. */
  setReady(): void {
    this.gate = { state: 'ready' };
    this.pump();
  }

  /** Setup failed: what waited for it fails with `message`. */
  setFailed(message: string): void {
    this.gate = { state: 'failed', message };
    for (const p of this.queue.splice(0)) p.markFailed(message);
  }

  /** Starts `p` now if a slot is free; false (and nothing happens) otherwise. */
  tryStart(p: Prediction): boolean {
    if (!this.ready || this.busy) return false;
    this.run(p);
    return true;
  }

  /**
   * Starts `p`, or lets it wait (status `starting`) for a slot or for setup.
   * False when the queue is full. After a setup failure `p` fails at once.
   */
  startOrQueue(p: Prediction): boolean {
    if (this.gate.state === 'failed') {
      p.markFailed(this.gate.message);
      return true;
    }
    if (this.tryStart(p)) return true;
    if (this.queue.length >= this.queueMax) return false;
    this.queue.push(p);
    return true;
  }

  /** Cancels a waiting or running prediction; the prediction is `canceled` when this returns. */
  cancel(p: Prediction): void {
    if (p.terminal) return;
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      p.markCanceled();
      return;
    }
    p.controller.abort();
    // execute() settles on the abort a tick later; make it visible now.
    p.markCanceled();
  }

  cancelAll(): void {
    for (const p of [...this.queue, ...this.running]) this.cancel(p);
  }

  /** Resolves when nothing runs or waits (loops: finishing work may start queued work). */
  async idle(): Promise<void> {
    while (this.running.size || this.queue.length) {
      await Promise.all([...this.running, ...this.queue].map((p) => p.settled));
    }
  }

  private pump(): void {
    while (this.ready && this.queue.length && !this.busy) this.run(this.queue.shift()!);
  }

  private run(p: Prediction): void {
    this.running.add(p);
    p.markStarted();
    void this.execute(p).finally(() => {
      this.running.delete(p);
      this.pump();
    });
  }

  private async execute(p: Prediction): Promise<void> {
    const { signal } = p.controller;
    const log = (line: string) => p.appendLog(line.endsWith('\n') ? line : line + '\n');
    const run = p.init.run ?? ((predictor, c) => predictor.predict(p.input, c));
    const work = Promise.resolve().then(() => run(this.predictor, { signal, log }));
    work.catch(() => {}); // a late rejection after cancel is expected and ignored
    try {
      const output = await Promise.race([work, abortion(signal)]);
      p.markSucceeded(output);
    } catch (err) {
      if (signal.aborted) return p.markCanceled();
      const e = err instanceof Error ? err : new Error(String(err));
      const clientError = e instanceof ClientError ? e : undefined;
      if (!clientError) this.logError(`prediction ${p.id ?? '-'} failed: ${e.stack ?? e.message}`);
      const message = clientMessage(e.message);
      p.appendLog(`${message}\n`);
      p.markFailed(message, clientError);
    }
  }
}

/** Rejects when `signal` aborts, so a cancel never waits for the Predictor. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(Object.assign(new Error('The prediction was canceled.'), { name: 'AbortError' }));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
