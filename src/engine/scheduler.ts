// Merges the texts of every in-flight prediction into padded batches under a
// token budget, one batch running at a time (onnxruntime already uses every
// core for one run).
//
// Each batch is built around an anchor taken from the jobs in turn (round
// robin), so a short query waits for at most the batch in flight and one turn
// of the other jobs, never for a whole long corpus. The rest of the batch is
// filled with the queued texts closest in length to the anchor, from any job,
// while rows × longest row stays within the budget and no row is padded to
// more than 1 / minFill of its length.
import type { Need, TextEmbedding, TokenIds } from './types.ts';

/** Default shortest row / longest row in one batch. */
export const DEFAULT_MIN_FILL = 0.75;

export type RunBatch = (batch: TokenIds[], need: Need) => Promise<TextEmbedding[]>;

export interface SchedulerOptions {
  /** Padded tokens per batch: rows × longest row. A longer text still runs, alone. */
  maxBatchTokens: number;
  /** Rows per batch at most (an export with a fixed batch dimension). */
  maxRows?: number | null;
  /** Shortest row / longest row allowed in one batch, 0..1. */
  minFill?: number;
  /**
   * The naive baseline, for benchmarks: batches of this many texts in arrival
   * order, padded to their longest row, with no length sorting and no token
   * budget (FlagEmbedding's batch_size=12 behaviour).
   */
  arrivalBatchSize?: number;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Called after each batch that held some of this job's texts. */
  onProgress?: (done: number, total: number) => void;
}

interface Job {
  need: Need;
  results: TextEmbedding[];
  queued: number;
  done: number;
  failed: boolean;
  resolve: (r: TextEmbedding[]) => void;
  reject: (e: Error) => void;
  onProgress?: SubmitOptions['onProgress'];
}

interface Item { tokens: TokenIds; job: Job; index: number }

export class Scheduler {
  private queue: Item[] = [];
  private rotation: Job[] = [];
  private running = false;
  private pumpScheduled = false;

  constructor(private readonly runBatch: RunBatch, private readonly options: SchedulerOptions) {}

  /** Texts waiting for a batch, across all jobs. */
  get queuedTexts(): number {
    return this.queue.length;
  }

  submit(texts: TokenIds[], need: Need, opts: SubmitOptions = {}): Promise<TextEmbedding[]> {
    if (opts.signal?.aborted) return Promise.reject(abortError());
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const job: Job = { need, results: new Array(texts.length), queued: texts.length, done: 0, failed: false, resolve, reject, onProgress: opts.onProgress };
      const onAbort = () => this.fail(job, abortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => opts.signal?.removeEventListener('abort', onAbort);
      job.resolve = (r) => { cleanup(); resolve(r); };
      job.reject = (e) => { cleanup(); reject(e); };
      texts.forEach((tokens, index) => this.queue.push({ tokens, job, index }));
      this.rotation.push(job);
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.running) return;
    this.pumpScheduled = true;
    // setImmediate lets requests that arrive together start in one batch.
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const batch = this.nextBatch();
    if (!batch.length) return;
    this.running = true;
    try {
      const need = unionNeed(batch.map((i) => i.job.need));
      const out = await this.runBatch(batch.map((i) => i.tokens), need);
      this.deliver(batch, out);
    } catch (err) {
      for (const job of new Set(batch.map((i) => i.job))) this.fail(job, err as Error);
    } finally {
      this.running = false;
      if (this.queue.length) this.schedulePump();
    }
  }

  private deliver(batch: Item[], out: TextEmbedding[]): void {
    const touched = new Set<Job>();
    batch.forEach((item, k) => {
      if (item.job.failed) return;
      item.job.results[item.index] = out[k];
      item.job.done++;
      touched.add(item.job);
    });
    for (const job of touched) {
      job.onProgress?.(job.done, job.results.length);
      if (job.done === job.results.length) job.resolve(job.results);
    }
  }

  private fail(job: Job, err: Error): void {
    if (job.failed || job.done === job.results.length) return;
    job.failed = true;
    this.queue = this.queue.filter((i) => i.job !== job);
    this.rotation = this.rotation.filter((j) => j !== job);
    job.reject(err);
  }

  /** Picks the next batch and takes its items off the queue. */
  private nextBatch(): Item[] {
    if (this.options.arrivalBatchSize) return this.take(this.queue.slice(0, this.options.arrivalBatchSize));
    const job = this.rotation.shift();
    if (!job) return [];
    const sorted = [...this.queue].sort((a, b) => a.tokens.length - b.tokens.length);
    let anchor = -1;
    sorted.forEach((item, i) => { if (item.job === job) anchor = i; }); // the job's longest text
    const [lo, hi] = this.growWindow(sorted, anchor);
    const batch = this.take(sorted.slice(lo, hi + 1));
    if (job.queued > 0) this.rotation.push(job);
    return batch;
  }

  /** Takes `batch` off the queue; jobs with nothing left queued leave the rotation. */
  private take(batch: Item[]): Item[] {
    const taken = new Set(batch);
    this.queue = this.queue.filter((i) => !taken.has(i));
    for (const item of batch) item.job.queued--;
    this.rotation = this.rotation.filter((j) => j.queued > 0);
    return batch;
  }

  /** Widens [anchor, anchor] over length-sorted items, nearest length first, while the batch stays within limits. */
  private growWindow(sorted: Item[], anchor: number): [number, number] {
    const { maxBatchTokens, maxRows, minFill = DEFAULT_MIN_FILL } = this.options;
    const len = (i: number) => sorted[i].tokens.length;
    const target = len(anchor);
    const fits = (lo: number, hi: number) => {
      const rows = hi - lo + 1;
      return rows * len(hi) <= maxBatchTokens && len(lo) >= minFill * len(hi) && (!maxRows || rows <= maxRows);
    };
    let lo = anchor;
    let hi = anchor;
    for (;;) {
      const options: [number, number][] = [];
      if (lo > 0) options.push([lo - 1, hi]);
      if (hi < sorted.length - 1) options.push([lo, hi + 1]);
      options.sort((a, b) => distance(a) - distance(b));
      const next = options.find(([l, h]) => fits(l, h));
      if (!next) return [lo, hi];
      [lo, hi] = next;
    }
    function distance([l, h]: [number, number]): number {
      return l < lo ? target - len(l) : len(h) - target;
    }
  }
}

function unionNeed(needs: Need[]): Need {
  return {
    dense: needs.some((n) => n.dense),
    sparse: needs.some((n) => n.sparse),
    colbert: needs.some((n) => n.colbert),
  };
}

export function abortError(): Error {
  const err = new Error('The prediction was canceled.');
  err.name = 'AbortError';
  return err;
}
