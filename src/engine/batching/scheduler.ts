// Merges the texts of every in-flight prediction into padded batches under a
// token budget, one batch running at a time (onnxruntime already uses every
// core for one run).
//
// Each batch is built around an anchor taken from the jobs in turn (round
// robin), so a short query waits for at most the batch in flight and one turn
// of the other jobs, never for a whole long corpus. Jobs submitted with the
// same `turn` (one prediction sent as several jobs) share one place in the
// round, so they count as one job, not as many. The rest of the batch is
// filled with the queued texts closest in length to the anchor, from any job,
// while the batch stays within its memory limits and gets cheaper per real
// token (batch-window.ts).
import { growWindow, type BatchLimits } from './batch-window.ts';
import { MAX_POSITION_TOKENS } from '../model-facts.ts';
import type { Need, Pool, TextEmbedding, TokenIds } from '../types.ts';

/** Default shortest row / longest row in one batch: a floor under the cost rule of batch-window.ts. */
export const DEFAULT_MIN_FILL = 0.5;
/** Default attention cells per batch (rows × longest²): those of one text of the longest the model takes. */
export const DEFAULT_MAX_BATCH_ATTENTION = MAX_POSITION_TOKENS * MAX_POSITION_TOKENS;
/**
 * Default fixed cost of a forward pass, in tokens. Measured on the full-size
 * model (bench/session-options.ts --study shapes, BENCHMARKS.md): 1×8 tokens
 * 43 ms, 1×32 82 ms, 1×128 218 ms, i.e. about 31 ms + 1.5 ms per token.
 */
export const DEFAULT_FIXED_COST_TOKENS = 20;

/** `pools` is given only when some text of the batch asked for pooled vectors (SubmitOptions.pools). */
export type RunBatch = (batch: TokenIds[], need: Need, pools?: (Pool[] | undefined)[]) => Promise<TextEmbedding[]>;

export interface SchedulerOptions {
  /** Padded tokens per batch: rows × longest row. A longer text still runs, alone. */
  maxBatchTokens: number;
  /** Rows per batch at most (an export with a fixed batch dimension). */
  maxRows?: number | null;
  /** Attention cells per batch: rows × longest², which the attention scores grow with. A longer text still runs, alone. */
  maxBatchAttention?: number;
  /** Shortest row / longest row allowed in one batch, 0..1. */
  minFill?: number;
  /** The part of a forward pass's cost that does not grow with the batch, in tokens (see batch-window.ts). */
  fixedCostTokens?: number;
  /**
   * The naive baseline, for benchmarks: batches of this many texts in arrival
   * order, padded to their longest row, with no length sorting and no token
   * budget (FlagEmbedding's batch_size=12 behaviour).
   */
  arrivalBatchSize?: number;
  /** Told about every forward pass once it ends (metrics). */
  onBatch?: (stats: BatchStats) => void;
}

/** One forward pass, as the scheduler saw it. */
export interface BatchStats {
  texts: number;
  /** Rows × longest row: what the model computed, padding included. */
  paddedTokens: number;
  /** The texts' own tokens, padding excluded. */
  tokens: number;
  seconds: number;
  ok: boolean;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Called after each batch that held some of this job's texts. */
  onProgress?: (done: number, total: number) => void;
  /** Per text (by index): the pools whose vectors it returns in TextEmbedding.pooled. */
  pools?: readonly (Pool[] | undefined)[];
  /** Jobs given the same object share one turn of the round robin; by default a job has its own. */
  turn?: object;
}

interface Job {
  need: Need;
  turn: object;
  results: TextEmbedding[];
  queued: number;
  done: number;
  failed: boolean;
  resolve: (r: TextEmbedding[]) => void;
  reject: (e: Error) => void;
  onProgress?: SubmitOptions['onProgress'];
}

interface Item {
  tokens: TokenIds;
  job: Job;
  index: number;
  pools?: Pool[];
}

export class Scheduler {
  private queue: Item[] = [];
  /** Turns with queued texts, in round-robin order. */
  private rotation: object[] = [];
  /** Queued texts per turn. */
  private readonly queuedByTurn = new Map<object, number>();
  private running = false;
  private pumpScheduled = false;
  /** Every job not yet resolved or rejected, whether queued or in the batch in flight. */
  private readonly live = new Set<Job>();
  private closed: Error | null = null;

  private readonly limits: BatchLimits;

  constructor(
    private readonly runBatch: RunBatch,
    private readonly options: SchedulerOptions,
  ) {
    this.limits = {
      maxBatchTokens: options.maxBatchTokens,
      maxBatchAttention: options.maxBatchAttention ?? DEFAULT_MAX_BATCH_ATTENTION,
      maxRows: options.maxRows ?? null,
      minFill: options.minFill ?? DEFAULT_MIN_FILL,
      fixedCostTokens: options.fixedCostTokens ?? DEFAULT_FIXED_COST_TOKENS,
    };
  }

  /** Texts waiting for a batch, across all jobs. */
  get queuedTexts(): number {
    return this.queue.length;
  }

  submit(texts: TokenIds[], need: Need, opts: SubmitOptions = {}): Promise<TextEmbedding[]> {
    if (this.closed) return Promise.reject(this.closed);
    if (opts.signal?.aborted) return Promise.reject(abortError());
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const job: Job = {
        need,
        turn: opts.turn ?? {},
        results: new Array(texts.length),
        queued: texts.length,
        done: 0,
        failed: false,
        resolve,
        reject,
        onProgress: opts.onProgress,
      };
      const onAbort = () => this.fail(job, abortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => opts.signal?.removeEventListener('abort', onAbort);
      job.resolve = (r) => {
        cleanup();
        this.live.delete(job);
        resolve(r);
      };
      job.reject = (e) => {
        cleanup();
        this.live.delete(job);
        reject(e);
      };
      this.live.add(job);
      texts.forEach((tokens, index) => this.queue.push({ tokens, job, index, pools: opts.pools?.[index] }));
      this.countQueued(job.turn, texts.length);
      this.schedulePump();
    });
  }

  /**
   * Rejects every job with `err` at once, those of the batch in flight
   * included (whatever that batch returns is dropped), and every later submit.
   */
  close(err: Error): void {
    this.closed ??= err;
    for (const job of [...this.live]) this.fail(job, this.closed);
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
    const started = performance.now();
    let ok = false;
    try {
      const need = unionNeed(batch.map((i) => i.job.need));
      const pooled = batch.some((i) => i.pools?.length);
      const tokens = batch.map((i) => i.tokens);
      const out = pooled
        ? await this.runBatch(
            tokens,
            need,
            batch.map((i) => i.pools),
          )
        : await this.runBatch(tokens, need);
      ok = true;
      this.deliver(batch, out);
    } catch (err) {
      for (const job of new Set(batch.map((i) => i.job))) this.fail(job, err as Error);
    } finally {
      this.running = false;
      try {
        this.options.onBatch?.(batchStats(batch, (performance.now() - started) / 1000, ok));
      } catch {
        /* an observer's failure must not stop the batching */
      }
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
    this.countQueued(job.turn, -job.queued);
    job.queued = 0;
    job.reject(err);
  }

  /** Picks the next batch and takes its items off the queue. */
  private nextBatch(): Item[] {
    const { arrivalBatchSize, maxRows } = this.options;
    if (arrivalBatchSize) return this.take(this.queue.slice(0, Math.min(arrivalBatchSize, maxRows || Infinity)));
    const turn = this.rotation.shift();
    if (!turn) return [];
    const sorted = [...this.queue].sort((a, b) => a.tokens.length - b.tokens.length);
    let anchor = -1;
    sorted.forEach((item, i) => {
      if (item.job.turn === turn) anchor = i;
    }); // the turn's longest text
    const [lo, hi] = growWindow(
      sorted.map((i) => i.tokens.length),
      anchor,
      this.limits,
    );
    const batch = this.take(sorted.slice(lo, hi + 1));
    if (this.queuedByTurn.has(turn)) this.rotation.push(turn);
    return batch;
  }

  /** Takes `batch` off the queue; turns with nothing left queued leave the rotation. */
  private take(batch: Item[]): Item[] {
    const taken = new Set(batch);
    this.queue = this.queue.filter((i) => !taken.has(i));
    for (const item of batch) {
      item.job.queued--;
      this.countQueued(item.job.turn, -1);
    }
    return batch;
  }

  /** Adds `n` (or, negative, removes) queued texts of `turn`: a turn enters the rotation with its first, leaves it with its last. */
  private countQueued(turn: object, n: number): void {
    const before = this.queuedByTurn.get(turn) ?? 0;
    const after = before + n;
    if (after > 0) this.queuedByTurn.set(turn, after);
    else this.queuedByTurn.delete(turn);
    if (before === 0 && after > 0) this.rotation.push(turn);
    if (before > 0 && after <= 0) this.rotation = this.rotation.filter((t) => t !== turn);
  }
}

function batchStats(batch: Item[], seconds: number, ok: boolean): BatchStats {
  const lengths = batch.map((i) => i.tokens.length);
  return { texts: batch.length, paddedTokens: batch.length * Math.max(...lengths), tokens: lengths.reduce((a, b) => a + b, 0), seconds, ok };
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
