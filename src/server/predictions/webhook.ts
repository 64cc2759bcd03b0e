// Webhook delivery for one prediction: event filter, throttling of
// non-terminal events, retries of the terminal one. Deliveries run on their
// own promise chain, so a slow or dead receiver never holds up a prediction.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import type { Prediction, WebhookRequest } from './prediction.ts';
import { SERVER_NAME, SERVER_VERSION, type WebhookEvent } from '../types.ts';

export interface WebhookSettings {
  throttleMs: number;
  authToken: string | null;
  retryBaseMs: number;
  maxRetries: number;
  timeoutMs: number;
}

/** Statuses worth retrying, as in Cog (urllib3's status_forcelist). */
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Non-terminal events get one short attempt; they are superseded by later ones anyway. */
const NON_TERMINAL_TIMEOUT_MS = 5000;

/**
 * The server's webhook deliveries: the clock their throttle reads, and the
 * deliveries in progress, so shutdown can wait for the terminal ones (and a
 * test for all of them, instead of for time to pass).
 */
export class WebhookTracker {
  private readonly pending = new Set<Promise<void>>();
  private readonly all = new Set<Promise<void>>();
  /** Milliseconds on a monotonic clock; tests pass one they move by hand. */
  readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? (() => performance.now());
  }

  track(delivery: Promise<void>, terminal: boolean): void {
    const sets = terminal ? [this.pending, this.all] : [this.all];
    for (const set of sets) set.add(delivery);
    void delivery.finally(() => {
      for (const set of sets) set.delete(delivery);
    });
  }

  /** Terminal deliveries in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once no delivery, terminal or not, is queued or in flight. */
  async idle(): Promise<void> {
    while (this.all.size) await Promise.all(this.all);
  }

  /** Waits up to `timeoutMs` for pending deliveries; true when none remain. */
  async drain(timeoutMs: number): Promise<boolean> {
    const ac = new AbortController();
    const all = Promise.all(this.pending).then(() => true);
    const timeout = sleep(timeoutMs, false, { signal: ac.signal }).catch(() => false);
    const done = await Promise.race([all, timeout]);
    ac.abort();
    return done && this.pending.size === 0;
  }
}

export interface WebhookTarget {
  request: WebhookRequest;
  /** The payload for the prediction's current state. */
  payload: () => unknown;
  /** Extra headers, e.g. traceparent/tracestate forwarded from the creating request. */
  headers?: Record<string, string>;
}

/** Subscribes a webhook sender to the prediction's events. Call before the prediction starts. */
export function attachWebhook(p: Prediction, target: WebhookTarget, settings: WebhookSettings, tracker: WebhookTracker, log: Logger): void {
  const sender = new WebhookSender(target, settings, tracker, log);
  p.onEvent((event) => sender.notify(event));
}

class WebhookSender {
  private chain: Promise<void> = Promise.resolve();
  /** Body of a non-terminal delivery queued but not begun; later events replace it. */
  private queuedBody: string | null = null;
  private lastSentAt = -Infinity;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly target: WebhookTarget,
    private readonly s: WebhookSettings,
    private readonly tracker: WebhookTracker,
    private readonly log: Logger,
  ) {
    this.headers = {
      'content-type': 'application/json',
      'user-agent': `${SERVER_NAME}/${SERVER_VERSION} (cog-compatible)`,
      ...(s.authToken ? { authorization: `Bearer ${s.authToken}` } : {}),
      ...target.headers,
    };
  }

  notify(event: WebhookEvent): void {
    if (!this.target.request.filter.has(event)) return;
    if (event === 'completed') return this.sendTerminal();
    // Cog skips `start` when throttling is tuned for latency (< 0.1 s), so the first output is never throttled.
    if (event === 'start' && this.s.throttleMs < 100) return;
    const now = this.tracker.now();
    if (now - this.lastSentAt < this.s.throttleMs) return;
    this.lastSentAt = now;
    const alreadyQueued = this.queuedBody !== null;
    this.queuedBody = JSON.stringify(this.target.payload());
    if (alreadyQueued) return;
    this.chain = this.chain.then(async () => {
      const body = this.queuedBody!;
      this.queuedBody = null;
      const result = await this.post(body, Math.min(NON_TERMINAL_TIMEOUT_MS, this.s.timeoutMs));
      if (typeof result === 'string') this.log.debug(`webhook ${event} to ${this.url} not delivered: ${result}`);
    });
    this.tracker.track(this.chain, false);
  }

  private get url(): string {
    return this.target.request.url;
  }

  private sendTerminal(): void {
    const body = JSON.stringify(this.target.payload());
    this.chain = this.chain.then(() => this.deliverWithRetries(body));
    this.tracker.track(this.chain, true);
  }

  private async deliverWithRetries(body: string): Promise<void> {
    let last: number | string = 'not attempted';
    let attempts = 0;
    while (attempts <= this.s.maxRetries) {
      if (attempts > 0) await sleep(this.s.retryBaseMs * 2 ** Math.min(attempts - 1, 10), undefined, { ref: false });
      attempts++;
      last = await this.post(body, this.s.timeoutMs);
      if (typeof last === 'number' && !RETRY_STATUSES.has(last)) break;
    }
    if (typeof last === 'number' && last < 300) return;
    const why = typeof last === 'number' ? `HTTP ${last}` : last;
    this.log.warn(`webhook "completed" to ${this.url} not delivered after ${attempts} attempt(s): ${why}`);
  }

  /** One POST; the HTTP status, or a string saying why there was none. */
  private async post(body: string, timeoutMs: number): Promise<number | string> {
    try {
      const res = await fetch(this.url, { method: 'POST', headers: this.headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
      return res.status;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      return e.cause?.code ?? e.cause?.message ?? e.message;
    }
  }
}
