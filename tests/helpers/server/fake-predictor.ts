// A controllable stand-in for the Predictor, for lifecycle tests (timing,
// cancel, slots, webhooks) that must not depend on model speed.
import type { PredictorLike } from '../../../src/server/types.ts';
import { validateInput } from '../../../src/api/input.ts';

export interface FakeOptions {
  /** Setup takes this long (ms), or fails with this message. */
  setupMs?: number;
  setupError?: string;
  /** Each prediction takes this long (ms) unless a text asks otherwise (see predict). */
  predictMs?: number;
}

/**
 * predict() echoes the texts back as `{ texts, n }` after `predictMs`. A text
 * "sleep:<ms>" sets the duration, "fail:<message>" makes it throw, "log:<k>"
 * writes k log lines spread over the run, "hold:<key>" keeps it running until
 * release(key) (so a test knows it is still in flight, whatever the machine's
 * speed); while held, log(key, line) writes a log line from it, at the moment
 * the test chooses. It honours the AbortSignal.
 */
export class FakePredictor implements PredictorLike {
  started = 0;
  aborted = 0;
  private releaseSetup?: () => void;
  private readonly holds = new Map<string, Hold>();

  constructor(private readonly opts: FakeOptions = {}) {}

  async setup(o: { weights?: string; log?: (line: string) => void } = {}): Promise<void> {
    o.log?.('fake setup starting');
    if (this.opts.setupMs === Infinity) await new Promise<void>((r) => (this.releaseSetup = r));
    else await sleep(this.opts.setupMs ?? 0);
    if (this.opts.setupError) throw new Error(this.opts.setupError);
    o.log?.('fake setup done');
  }

  /** Ends an infinite setup. */
  finishSetup(): void {
    this.releaseSetup?.();
  }

  /** Ends the predictions holding on `key` (and any that will). */
  release(key: string): void {
    this.hold(key).release();
  }

  /** How many predictions holding on `key` are running now. */
  holding(key: string): number {
    return this.hold(key).loggers.size;
  }

  /** Writes `line` to the logs of the predictions holding on `key`; fails when none is running. */
  log(key: string, line: string): void {
    const { loggers } = this.hold(key);
    if (!loggers.size) throw new Error(`no prediction is holding on ${key}`);
    for (const log of loggers) log(line);
  }

  private hold(key: string): Hold {
    let h = this.holds.get(key);
    if (!h) {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      h = { released, release, loggers: new Set() };
      this.holds.set(key, h);
    }
    return h;
  }

  async predict(raw: unknown, ctx: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<unknown> {
    const input = validateInput(raw);
    this.started++;
    let ms = this.opts.predictMs ?? 5;
    let logs = 0;
    let held: Hold | undefined;
    for (const t of input.texts) {
      const [cmd, arg] = t.split(':');
      if (cmd === 'sleep') ms = Number(arg);
      if (cmd === 'hold') held = this.hold(arg);
      if (cmd === 'log') logs = Number(arg);
      if (cmd === 'fail') throw new Error(arg);
    }
    const log = (line: string) => ctx.log?.(line);
    held?.loggers.add(log);
    try {
      await this.run(ms, logs, held?.released, ctx);
    } finally {
      held?.loggers.delete(log);
    }
    return { texts: input.texts, n: input.texts.length };
  }

  private async run(ms: number, logs: number, held: Promise<void> | undefined, ctx: { signal?: AbortSignal; log?: (line: string) => void }): Promise<void> {
    const steps = Math.max(logs, 1);
    for (let i = 0; i < steps; i++) {
      if (i < logs) ctx.log?.(`step ${i + 1}/${logs}`);
      await sleep(ms / steps, ctx.signal).catch((e) => {
        this.aborted++;
        throw e;
      });
    }
    if (held)
      await abortable(held, ctx.signal).catch((e) => {
        this.aborted++;
        throw e;
      });
  }
}

interface Hold {
  released: Promise<void>;
  release: () => void;
  /** The log functions of the predictions holding now. */
  loggers: Set<(line: string) => void>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(abortError());
      },
      { once: true },
    );
  });
}

function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError' });
}

function abortable(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(abortError()), { once: true });
    p.then(resolve);
  });
}
