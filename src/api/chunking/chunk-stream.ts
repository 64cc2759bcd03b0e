// A chunked prediction's chunks handed on as they are embedded, a bounded group at a time, for
// callers that consume chunks rather than one JSON response (Predictor.predictChunks, the corpus
// job). Planning, the scheduler jobs and each chunk's entry are /predictions' own (plan-texts.ts,
// contextual.ts, chunked-output.ts); what is left out is what needs every chunk at once: the
// per-text merged fields and the scores. Memory does not grow with a text's length: at most
// AHEAD_TOKENS tokens are sent and not yet handed on, and each group is built just before it is.
import { setMaxListeners } from 'node:events';
import type { Scheduler } from '../../engine/batching/scheduler.ts';
import type { Need, TextEmbedding } from '../../engine/types.ts';
import { MAX_COLBERT_VECTORS } from '../output.ts';
import type { JobContext } from '../scheduler-jobs.ts';
import type { Input } from '../schema-types.ts';
import { chunkEntries, type ChunkFormats, type ChunkOutput } from './chunked-output.ts';
import { chunkOutputs, windowInput, WindowBuilder, type ContextWindow } from './contextual.ts';
import { GROUP, planStream, type PlanEvent } from './plan-texts.ts';
import type { ChunkTokenizers } from './plan.ts';
import type { ChunkPlan } from './types.ts';

/**
 * Tokens sent to the scheduler and not yet handed on, at most (besides the two units always
 * allowed): eight batches of the default budget, or one window of the longest max_length.
 */
export const AHEAD_TOKENS = 8192;

/** A chunk with its text and embedding, as the scheduler returned it. */
interface Embedded {
  text: number;
  plan: ChunkPlan;
  emb: TextEmbedding;
}

/** One scheduler job: a group of plain chunks, or one contextual window. */
interface Unit {
  tokens: number;
  result: Promise<Embedded[]>;
}

export interface StreamDeps {
  scheduler: Scheduler;
  tokenizers: ChunkTokenizers;
  dim: number;
  format: ChunkFormats;
  need: Need;
}

/**
 * The chunks of `input.texts`, text after text, chunk after chunk, in groups of at most GROUP
 * chunks (a contextual window's chunks together) and MAX_COLBERT_VECTORS ColBERT rows: every
 * scheduler job of the stream shares one turn, as one prediction's do. Leaving the loop early
 * cancels what was sent and not yet embedded.
 */
export async function* streamChunks(input: Input, deps: StreamDeps, ctx: JobContext): AsyncGenerator<ChunkOutput[]> {
  const cancel = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, cancel.signal]) : cancel.signal;
  setMaxListeners(0, signal); // one per scheduler job in flight, which AHEAD_TOKENS bounds
  const units = new UnitSender(input, deps, signal);
  const events = planStream(input.texts, input, deps.tokenizers, ctx.signal);
  let planning = true;
  try {
    for (;;) {
      while (planning && units.wantsMore()) {
        const next = await events.next();
        if (next.done) {
          planning = false;
          units.end();
        } else units.take(next.value);
      }
      const head = units.shift();
      if (!head) return;
      for (const group of cappedGroups(await head.result, deps.dim)) yield chunkEntries(input, deps.format, group);
    }
  } finally {
    cancel.abort();
    await events.return(undefined);
  }
}

/** Plans in, scheduler jobs out, in order. */
class UnitSender {
  private readonly pending: Unit[] = [];
  private inFlight = 0;
  private group: { text: number; plan: ChunkPlan }[] = [];
  private groupRows = 0;
  private windows?: WindowBuilder;
  private readonly turn = {}; // one prediction: one turn of the scheduler's round
  private readonly contextual: boolean;

  constructor(
    private readonly input: Input,
    private readonly deps: StreamDeps,
    private readonly signal: AbortSignal,
  ) {
    this.contextual = input.chunk_context === 'document';
  }

  wantsMore(): boolean {
    return this.pending.length < 2 || this.inFlight < AHEAD_TOKENS;
  }

  shift(): Unit | undefined {
    const head = this.pending.shift();
    if (head) this.inFlight -= head.tokens;
    return head;
  }

  take(event: PlanEvent): void {
    if (this.contextual) return this.takeContextual(event);
    if (!('plan' in event)) return;
    const rows = this.input.return_colbert ? event.plan.ids.length - 1 : 0;
    if (this.group.length === GROUP || this.groupRows + rows > MAX_COLBERT_VECTORS) this.sendGroup();
    this.group.push(event);
    this.groupRows += rows;
  }

  end(): void {
    this.sendGroup();
  }

  private sendGroup(): void {
    if (!this.group.length) return;
    const group = this.group;
    this.group = [];
    this.groupRows = 0;
    const ids = group.map((g) => g.plan.ids);
    const submitted = this.deps.scheduler.submit(ids, this.deps.need, { signal: this.signal, turn: this.turn });
    this.push(
      ids.reduce((n, i) => n + i.length, 0),
      submitted.then((embs) => group.map((g, i) => ({ ...g, emb: embs[i] }))),
    );
  }

  private takeContextual(event: PlanEvent): void {
    this.windows ??= new WindowBuilder(this.input.max_length);
    if ('plan' in event) {
      const closed = this.windows.add(event.plan);
      if (closed) this.sendWindow(event.text, closed, false);
    } else {
      const last = this.windows.end();
      this.windows = undefined;
      if (last) this.sendWindow(event.text, last, true);
    }
  }

  /** One window's pass (its chunks' dense vectors from the pool head, not from <s>), sliced into its chunks' outputs. */
  private sendWindow(text: number, w: ContextWindow, last: boolean): void {
    const { ids, pools } = windowInput(w);
    const need = { dense: false, sparse: this.deps.need.sparse, colbert: this.deps.need.colbert };
    const submitted = this.deps.scheduler.submit([ids], need, { signal: this.signal, pools: [pools], turn: this.turn });
    this.push(
      ids.length,
      submitted.then(([emb]) => chunkOutputs(w, emb, this.deps.dim, last).map((out, k) => ({ text, plan: w.chunks[k], emb: out }))),
    );
  }

  private push(tokens: number, result: Promise<Embedded[]>): void {
    result.catch(() => {}); // awaited in order by the stream; a failure surfaces there
    this.pending.push({ tokens, result });
    this.inFlight += tokens;
  }
}

/** A unit's chunks in order, cut where a group would pass MAX_COLBERT_VECTORS rows (a window's chunks may hold more: overlaps count twice). */
function* cappedGroups(parts: Embedded[], dim: number): Generator<Embedded[]> {
  let group: Embedded[] = [];
  let rows = 0;
  for (const part of parts) {
    const own = (part.emb.colbert?.length ?? 0) / dim;
    if (group.length && rows + own > MAX_COLBERT_VECTORS) {
      yield group;
      group = [];
      rows = 0;
    }
    group.push(part);
    rows += own;
  }
  if (group.length) yield group;
}
