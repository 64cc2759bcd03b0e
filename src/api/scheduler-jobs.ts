// How a prediction's texts become scheduler jobs: all at once, with MCLS's extra
// pass, or window by window for contextual chunks; and the progress lines they log.
import type { Scheduler } from '../engine/batching/scheduler.ts';
import type { Encoding } from '../engine/tokenizer/bge-tokenizer.ts';
import type { Need, Pool, TextEmbedding } from '../engine/types.ts';
import type { ChunkedText } from './chunking/chunked-output.ts';
import { embedContextual } from './chunking/contextual.ts';
import { mclsInput, mclsInserts } from './mcls.ts';
import type { Encoded } from './output.ts';
import type { Input } from './schema-types.ts';

/** What a prediction's jobs carry: its cancel signal and where its progress lines go. */
export interface JobContext {
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Every text (and the query) in one scheduler job. */
export function embedAll(scheduler: Scheduler, enc: Encoded, need: Need, ctx: JobContext): Promise<TextEmbedding[]> {
  const all = enc.query ? [...enc.texts, enc.query] : enc.texts;
  return scheduler.submit(
    all.map((e) => e.ids),
    need,
    { signal: ctx.signal, onProgress: progressLogger(all.length, ctx.log) },
  );
}

/**
 * dense_pooling "mcls": a text with more than 256 tokens between <s> and </s>
 * runs on its MCLS ids for its dense vector (src/api/mcls.ts) and, only when
 * sparse, ColBERT or scores are asked, once more on its own ids for those, so
 * they stay BGE-M3's. A shorter text gets no inserted <s>: its one pass gives
 * everything, its dense vector the CLS one. The query is always CLS-pooled.
 */
export async function embedMcls(scheduler: Scheduler, enc: Encoded, need: Need, ctx: JobContext): Promise<TextEmbedding[]> {
  const long = enc.texts.flatMap((e, i) => (mclsInserts(e.ids) ? [i] : []));
  const perToken = need.sparse || need.colbert;
  const plain = enc.texts.flatMap((_, i) => (perToken || !long.includes(i) ? [i] : []));
  const plainJob = [...plain.map((i) => enc.texts[i].ids), ...(enc.query ? [enc.query.ids] : [])];
  const inputs = long.map((i) => mclsInput(enc.texts[i].ids));
  const turn = {}; // the two jobs are one prediction: one turn of the scheduler's round
  const [plainEmbs, mclsEmbs] = await Promise.all([
    scheduler.submit(plainJob, need, { signal: ctx.signal, onProgress: progressLogger(plainJob.length, ctx.log), turn }),
    scheduler.submit(
      inputs.map((m) => m.ids),
      { dense: false, sparse: false, colbert: false },
      { signal: ctx.signal, onProgress: progressLogger(inputs.length, ctx.log), pools: inputs.map((m) => [m.pool]), turn },
    ),
  ]);
  const embs: TextEmbedding[] = enc.texts.map(() => ({}));
  plain.forEach((i, k) => (embs[i] = plainEmbs[k]));
  long.forEach((i, k) => (embs[i] = { ...embs[i], dense: mclsEmbs[k].pooled }));
  return enc.query ? [...embs, plainEmbs[plain.length]] : embs;
}

/**
 * chunk_context "document": each text's chunks from one pass per window of
 * up to `windowTokens` (src/api/chunking/contextual.ts), every text its own
 * scheduler job, all sharing one turn; the query on its own ids. Returns the chunks' embeddings
 * text after text, then the query's, as the plain path does.
 */
export async function embedInContext(
  scheduler: Scheduler,
  texts: readonly ChunkedText[],
  query: Encoding | undefined,
  need: Need,
  window: { windowTokens: number; dim: number },
  ctx: JobContext,
): Promise<TextEmbedding[]> {
  // The chunks' dense vectors come from the pool head, not from <s>.
  const windowNeed = { dense: false, sparse: need.sparse, colbert: need.colbert };
  const turn = {}; // every window's job is one prediction's: one turn of the scheduler's round
  const run = (ids: number[][], pools: Pool[][]) => scheduler.submit(ids, windowNeed, { signal: ctx.signal, pools, turn });
  const [chunks, queryEmbs] = await Promise.all([
    Promise.all(texts.map((t) => embedContextual(t.plans, window.windowTokens, window.dim, run))),
    query ? scheduler.submit([query.ids], need, { signal: ctx.signal, turn }) : Promise.resolve([]),
  ]);
  return [...chunks.flat(), ...queryEmbs];
}

/** "embedded x/y chunks" log lines across the groups a chunked prediction sends, at most one a second. */
export function chunkProgress(log?: (line: string) => void): { add: (n: number) => ((done: number) => void) | undefined; planned: () => void } {
  let total = 0;
  let done = 0;
  let allPlanned = false;
  let last = 0;
  const say = () => {
    const now = Date.now();
    if (!log || (now - last < 1000 && !(allPlanned && done === total))) return;
    last = now;
    log(`embedded ${done}/${total}${allPlanned ? '' : '+'} chunks`);
  };
  return {
    add: (n) => {
      total += n;
      let mine = 0;
      return (d) => {
        done += d - mine;
        mine = d;
        say();
      };
    },
    planned: () => {
      allPlanned = true;
    },
  };
}

export function needOf(input: Input): Need {
  const scoring = input.query !== undefined;
  return { dense: input.return_dense || scoring, sparse: input.return_sparse || scoring, colbert: input.return_colbert || scoring };
}

export function progressLogger(total: number, log?: (line: string) => void): ((done: number) => void) | undefined {
  if (!log || total < 2) return undefined;
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    log(`embedded ${done}/${total} texts`);
  };
}
