// The BGE-M3 predictor: setup() loads the tokenizer and ONNX sessions once;
// predict() validates its input against schema.json and returns dense, sparse
// and ColBERT outputs from one forward pass. The HTTP server and the CLI call
// only this class.
import path from 'node:path';
import { findModelFiles } from './src/engine/weights/model-files.ts';
import { ModelWorker } from './src/engine/worker/model-worker.ts';
import type { PredictorObserver } from './src/engine/observer.ts';
import type { SessionSettings } from './src/engine/onnx/onnx-model.ts';
import type { Precision } from './src/engine/onnx/precision.ts';
import type { Int8WeightChoice, Int8WeightsSetting } from './src/engine/onnx/int8-weights.ts';
import { abortError, Scheduler, type SchedulerOptions } from './src/engine/batching/scheduler.ts';
import { DEFAULT_WEIGHTS_DIR } from './src/engine/weights/download.ts';
import { BgeTokenizer, type Encoding } from './src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans, type TokenSpan } from './src/engine/tokenizer/token-spans.ts';
import { lexicalWeights } from './src/engine/heads/lexical.ts';
import { encodeEmbedInputs, type EmbedRequest, type EmbedResult } from './src/api/embed-request.ts';
import { checkRerankRequest, rerankWeights, type RerankRequest, type RerankResult } from './src/api/rerank-request.ts';
import { encodeRerankTexts } from './src/api/rerank-encode.ts';
import { scoreDocuments } from './src/api/rerank-scores.ts';
import type { TextEmbedding } from './src/engine/types.ts';
import { WorkerSupervisor, type WorkerStatus } from './src/engine/worker/supervisor.ts';
import { setting, SETTINGS } from './src/settings.ts';
import { validateInput } from './src/api/input.ts';
import { maxRequestChars } from './src/api/request-size.ts';
import { buildOutput, checkOutputSize, poolsColbert, type Encoded } from './src/api/output.ts';
import { ColbertPooler } from './src/api/pooling/pool-worker.ts';
import type { Input, Output } from './src/api/schema-types.ts';
import { needsCalibration } from './src/api/vector-types.ts';
import { InputValidationError } from './src/api/errors.ts';
import { calibrationKey, modelIdentity, RangeAccumulator, readCached, setDigest, writeCache, type CalibrationRanges } from './src/api/calibration.ts';
import { BUNDLED_CALIBRATION_TEXTS, BUNDLED_SET_NAME } from './src/api/calibration-set.ts';
import { checkMclsLengths } from './src/api/mcls.ts';
import { buildChunkedOutput, chunkFormats, type ChunkOutput } from './src/api/chunking/chunked-output.ts';
import { streamChunks } from './src/api/chunking/chunk-stream.ts';
import { planTexts } from './src/api/chunking/plan-texts.ts';
import { chunkProgress, embedAll, embedInContext, embedMcls, needOf, progressLogger, type JobContext } from './src/api/scheduler-jobs.ts';

export type {
  CalibrationRanges,
  ChunkOutput,
  Input,
  Output,
  PredictorObserver,
  WorkerStatus,
  EmbedRequest,
  EmbedResult,
  RerankRequest,
  RerankResult,
  TokenSpan,
};
export { ClientError, InputValidationError } from './src/api/errors.ts';
export { RerankInputError } from './src/api/rerank-request.ts';

export interface SetupOptions {
  /** Weights directory; default BGE_M3_WEIGHTS, then COG_WEIGHTS, then ./weights. */
  weights?: string;
  log?: (line: string) => void;
  /** Padded tokens per batch; default BGE_M3_MAX_BATCH_TOKENS or DEFAULT_MAX_BATCH_TOKENS. */
  maxBatchTokens?: number;
  session?: SessionSettings;
  /** 'fp32' (exact, the default) or 'int8' (dynamically quantized weight MatMuls); default BGE_M3_PRECISION. */
  precision?: Precision;
  /** int8 weights: 8-bit, 7-bit, or 'auto' by the CPU's flags; default BGE_M3_INT8_WEIGHTS, then auto. */
  int8Weights?: Int8WeightsSetting;
  /** Batching beyond the token budget; benchmarks set arrivalBatchSize for the naive baseline. */
  scheduler?: Pick<SchedulerOptions, 'minFill' | 'arrivalBatchSize'>;
  /** Restarts of a dead model worker before the model is defunct; default BGE_M3_WORKER_RESTARTS or 3. */
  maxWorkerRestarts?: number;
  /** Folder of the int8/uint8 calibration cache; default the weights folder (the temporary folder where that is read-only). */
  calibrationDir?: string;
  /** The set a calibration is made from when none is cached; default the bundled multilingual set. */
  calibrationSet?: CalibrationSet;
}

/** Texts to calibrate int8/uint8 ranges with, and a name for them. */
export interface CalibrationSet {
  name: string;
  texts: readonly string[];
}

/** A prediction's cancel signal and where its progress lines go. */
export type PredictContext = JobContext;

export interface ModelInfo {
  weights: string;
  model: string;
  layout: string;
  dim: number;
  maxBatchTokens: number;
  precision: Precision;
  /** For int8: 8-bit or 7-bit weights, and why. */
  int8Weights?: Int8WeightChoice;
  /** Whether the export outputs hidden states, which pooled vectors (MCLS, contextual chunks) need. */
  hiddenStates: boolean;
}

interface Loaded {
  tokenizer: BgeTokenizer;
  model: WorkerSupervisor;
  scheduler: Scheduler;
  info: ModelInfo;
  tokenizerPath: string;
  /** Offsets and decoding (TEI's /tokenize, /decode), loaded on first use. */
  spans?: Promise<TokenSpans>;
  calibrationDir: string;
  calibrationSet: CalibrationSet;
  /** The int8/uint8 ranges: read or made on first use (see calibration()). */
  calibration?: Promise<CalibrationRanges>;
  /** colbert_pool_factor's thread, started on first use. */
  pooler: ColbertPooler;
}

/** Why this default: see BGE_M3_MAX_BATCH_TOKENS in src/settings.ts. */
export const DEFAULT_MAX_BATCH_TOKENS = SETTINGS.BGE_M3_MAX_BATCH_TOKENS.default;

/** The weights directory the environment names (BGE_M3_WEIGHTS, then COG_WEIGHTS), if any. */
export function namedWeightsDir(): string | undefined {
  return setting('BGE_M3_WEIGHTS') ?? setting('COG_WEIGHTS');
}

export function defaultWeightsDir(): string {
  return namedWeightsDir() ?? DEFAULT_WEIGHTS_DIR;
}

export class Predictor {
  private loaded?: Loaded;
  /** Set by close(): what it awaits. */
  private closing?: Promise<void>;
  private readonly observers: PredictorObserver[] = [];

  /** `defaults`: setup options (the CLI's --precision, say) under those setup() is given. */
  constructor(private readonly defaults: SetupOptions = {}) {}

  /** Tells `observer` about every forward pass and model worker state change from now on. */
  observe(observer: PredictorObserver): void {
    this.observers.push(observer);
  }

  /** Texts waiting for a forward pass, across all predictions. */
  get queuedTexts(): number {
    return this.loaded?.scheduler.queuedTexts ?? 0;
  }

  get info(): ModelInfo | undefined {
    return this.loaded?.info;
  }

  async setup(options: SetupOptions = {}): Promise<void> {
    if (this.loaded) return;
    const opts = { ...this.defaults, ...options };
    const log = opts.log ?? ((line: string) => console.log(line));
    const dir = opts.weights ?? defaultWeightsDir();
    maxRequestChars(); // a bad BGE_M3_MAX_REQUEST_CHARS fails setup, not every request
    rerankWeights(); // likewise a bad BGE_M3_RERANK_WEIGHTS
    log(`Loading BGE-M3 from ${dir}`);
    const files = await findModelFiles(dir);
    const tokenizer = await BgeTokenizer.fromFile(files.tokenizer);
    const maxBatchTokens = opts.maxBatchTokens ?? setting('BGE_M3_MAX_BATCH_TOKENS');
    const precision = opts.precision ?? setting('BGE_M3_PRECISION');
    const int8Weights = opts.int8Weights ?? setting('BGE_M3_INT8_WEIGHTS');
    const settings = { intraOpThreads: setting('BGE_M3_THREADS'), spinThreads: setting('BGE_M3_SPIN_THREADS'), precision, int8Weights, ...opts.session };
    /** A worker that has passed its warm-up run; one that fails it is released. */
    const startWorker = async () => {
      const worker = await ModelWorker.start(files, settings);
      const dim = await warmUp(worker).catch(async (err: Error) => {
        await worker.release().catch(() => {});
        throw err;
      });
      return { worker, dim };
    };
    const { worker: first, dim } = await startWorker();
    const restart = async () => (await startWorker()).worker;
    const maxRestarts = opts.maxWorkerRestarts ?? setting('BGE_M3_WORKER_RESTARTS');
    const model = new WorkerSupervisor(first, restart, maxRestarts, (status) => {
      for (const o of this.observers) o.worker?.(status);
    });
    const scheduler = new Scheduler((batch, need, pools) => model.run(batch, need, pools), {
      maxBatchTokens,
      maxRows: first.fixedBatch,
      ...opts.scheduler,
      onBatch: (stats) => {
        for (const o of this.observers) o.batch?.(stats);
      },
    });
    const layout =
      first.layout.kind === 'backbone' ? `${first.layout.hidden} + .pt heads` : `heads in graph (${Object.values(first.layout.outputs).join(', ')})`;
    this.loaded = {
      tokenizer,
      model,
      scheduler,
      info: {
        weights: files.dir,
        model: files.model,
        layout,
        dim,
        maxBatchTokens,
        precision,
        int8Weights: first.int8Weights,
        hiddenStates: first.layout.kind === 'backbone',
      },
      tokenizerPath: files.tokenizer,
      calibrationDir: opts.calibrationDir ?? files.dir,
      calibrationSet: opts.calibrationSet ?? { name: BUNDLED_SET_NAME, texts: BUNDLED_CALIBRATION_TEXTS },
      pooler: new ColbertPooler(settings.intraOpThreads),
    };
    log(
      `Loaded ${path.relative(files.dir, files.model)} (${layout}), ${dim} dimensions, ${tokenizer.vocabSize} token ids, batches of up to ${maxBatchTokens} padded tokens, ${first.attention}, precision ${first.precision}${settings.spinThreads ? ', onnxruntime threads spin between operators' : ''}`,
    );
  }

  async predict(raw: unknown, ctx: PredictContext = {}): Promise<Output> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    const input = validateInput(raw);
    if (input.chunk_tokens > 0) return this.predictChunked(input, ctx);
    const encoded = await encodeInSlices(tokenizer, [...input.texts, ...(input.query === undefined ? [] : [input.query])], input.max_length, ctx.signal);
    const enc: Encoded = {
      texts: encoded.slice(0, input.texts.length),
      query: input.query === undefined ? undefined : encoded[input.texts.length],
    };
    checkOutputSize(input, enc);
    const mcls = input.dense_pooling === 'mcls' && (input.return_dense || enc.query !== undefined);
    if (mcls) this.checkMcls(enc);
    const calibration = await this.calibrationIfUsed(input);
    const embs = mcls ? await embedMcls(scheduler, enc, needOf(input), ctx) : await embedAll(scheduler, enc, needOf(input), ctx);
    const pooled = poolsColbert(input, enc) ? await this.poolTexts(embs.slice(0, enc.texts.length), input.colbert_pool_factor!) : undefined;
    return buildOutput(input, enc, embs, { dim: info.dim, tokenText: (id) => tokenizer.tokenText(id) }, calibration, pooled);
  }

  /** colbert_pool_factor on each text's ColBERT rows, in the pooling thread (src/api/pooling/). */
  private poolTexts(texts: TextEmbedding[], factor: number): Promise<(Float32Array | undefined)[]> {
    const { pooler, info } = this.requireSetup();
    return Promise.all(texts.map((e) => (e.colbert ? pooler.pool(e.colbert, info.dim, factor) : undefined)));
  }

  private checkMcls(enc: Encoded): void {
    checkMclsLengths(enc.texts);
    this.checkHiddenStates('dense_pooling', 'mcls', 'cls');
  }

  /** A 422 on `field` when the export outputs no hidden states, which `value` pools. */
  private checkHiddenStates(field: string, value: string, otherwise: string): void {
    const { info } = this.requireSetup();
    if (info.hiddenStates) return;
    throw new InputValidationError([
      {
        field,
        loc: [field],
        type: 'value_error',
        message: `${field} "${value}" averages last hidden states, and this model export (${info.layout}) computes its heads inside the graph without outputting them: use ${field} "${otherwise}", or serve an export with token_embeddings or last_hidden_state (the official onnx/ export)`,
      },
    ]);
  }

  /**
   * predict() with chunk_tokens: every chunk of every text (src/api/chunking) and the query go
   * to the scheduler as one job, like ordinary texts; the per-text fields are merged from the
   * chunks'.
   */
  private async predictChunked(input: Input, ctx: PredictContext): Promise<Output> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    if (input.chunk_context === 'document') return this.predictInContext(input, ctx);
    const spans = await this.tokenSpans();
    const calibration = await this.calibrationIfUsed(input);
    // Chunks go to the scheduler a group at a time as they are planned (the worker thread embeds while the
    // main thread plans), except with return_colbert, whose output cap planning may still refuse: then
    // nothing is sent before all are planned. A cancel stops what was sent.
    const sent: Promise<TextEmbedding[]>[] = [];
    const held: number[][][] = [];
    const progress = chunkProgress(ctx.log);
    const turn = {}; // the groups are one prediction: one turn of the scheduler's round, not one each
    const send = (ids: number[][]) => {
      const result = scheduler.submit(ids, needOf(input), { signal: ctx.signal, onProgress: progress.add(ids.length), turn });
      result.catch(() => {}); // awaited below; a failure surfaces there
      sent.push(result);
    };
    const texts = await planTexts(input.texts, input, { tokenizer, spans }, ctx.signal, (plans) => {
      const ids = plans.map((p) => p.ids);
      if (input.return_colbert) held.push(ids);
      else send(ids);
    });
    for (const ids of held) send(ids);
    const query = input.query === undefined ? undefined : (await encodeInSlices(tokenizer, [input.query], input.max_length, ctx.signal))[0];
    if (query) send([query.ids]);
    progress.planned();
    const embs = (await Promise.all(sent)).flat();
    const queryPart = query ? { enc: query, emb: embs[embs.length - 1] } : undefined;
    return buildChunkedOutput(input, texts, embs, queryPart, { dim: info.dim, tokenText: (id) => tokenizer.tokenText(id) }, calibration);
  }

  /**
   * predict() with chunk_context "document": every text's chunks planned, then each text run once per
   * window (src/api/chunking/contextual.ts); the query on its own ids.
   */
  private async predictInContext(input: Input, ctx: PredictContext): Promise<Output> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    this.checkHiddenStates('chunk_context', 'document', 'none');
    const texts = await planTexts(input.texts, input, { tokenizer, spans: await this.tokenSpans() }, ctx.signal);
    const query = input.query === undefined ? undefined : (await encodeInSlices(tokenizer, [input.query], input.max_length, ctx.signal))[0];
    const calibration = await this.calibrationIfUsed(input);
    const embs = await embedInContext(scheduler, texts, query, needOf(input), { windowTokens: input.max_length, dim: info.dim }, ctx);
    const queryPart = query ? { enc: query, emb: embs[embs.length - 1] } : undefined;
    return buildChunkedOutput(input, texts, embs, queryPart, { dim: info.dim, tokenText: (id) => tokenizer.tokenText(id) }, calibration);
  }

  /**
   * predict() with chunk_tokens for callers that consume chunks rather than one JSON response
   * (the corpus job): each text's `chunks` entries, in order, a group at a time as they are
   * embedded, built as /predictions builds them, without the per-text merged fields (which need
   * every chunk at once). A group holds at most MAX_COLBERT_VECTORS ColBERT rows, and the texts
   * may be of any length: memory holds a bounded part of them at a time (src/api/chunking/chunk-stream.ts).
   * The input is validated here, at the call, as predict() validates it; chunk_tokens is required
   * and query refused (scores need every chunk). Leaving the loop early cancels the rest.
   */
  predictChunks(raw: unknown, ctx: PredictContext = {}): AsyncGenerator<ChunkOutput[]> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    const input = validateInput(raw);
    checkStreamable(input);
    if (input.chunk_context === 'document') this.checkHiddenStates('chunk_context', 'document', 'none');
    const model = { dim: info.dim, tokenText: (id: number) => tokenizer.tokenText(id) };
    return (async function* (self: Predictor) {
      const calibration = await self.calibrationIfUsed(input);
      const deps = {
        scheduler,
        tokenizers: { tokenizer, spans: await self.tokenSpans() },
        dim: info.dim,
        format: chunkFormats(input, model, calibration),
        need: needOf(input),
      };
      yield* streamChunks(input, deps, ctx);
    })(this);
  }

  /**
   * The per-dimension ranges of vector_type int8/uint8 for the loaded weights.
   * Made lazily, on the first answer (or GET /calibration) that needs them, not
   * at setup: most clients never ask for int8, and embedding the set would add
   * to every start. A calibration cached for this model file is used whatever
   * its set (so `cli.ts calibrate --input FILE` sticks); otherwise the default
   * set is embedded and the result cached. With `set`, that set's calibration
   * is reused when cached under its key, made and cached otherwise, and is the
   * one served from then on.
   */
  calibration(set?: CalibrationSet, ctx: PredictContext = {}): Promise<CalibrationRanges> {
    const loaded = this.requireSetup();
    if (set === undefined && loaded.calibration) return loaded.calibration;
    const made = this.makeCalibration(loaded, set, ctx);
    loaded.calibration = made;
    made.catch(() => {
      if (loaded.calibration === made) loaded.calibration = undefined; // the next request tries again
    });
    return made;
  }

  private async makeCalibration(loaded: Loaded, explicit: CalibrationSet | undefined, ctx: PredictContext): Promise<CalibrationRanges> {
    const model = modelIdentity(loaded.info.model, loaded.info.precision);
    if (!explicit) {
      const cached = readCached(loaded.calibrationDir, model);
      if (cached) return cached;
    }
    const set = explicit ?? loaded.calibrationSet;
    const sha256 = setDigest(set.texts);
    const key = calibrationKey(model, sha256);
    const cached = readCached(loaded.calibrationDir, model, key);
    if (cached) return cached;
    const dense = new RangeAccumulator(loaded.info.dim);
    const colbert = new RangeAccumulator(loaded.info.dim);
    const enc = await encodeInSlices(loaded.tokenizer, [...set.texts], 512, ctx.signal);
    const embs = await loaded.scheduler.submit(
      enc.map((e) => e.ids),
      { dense: true, sparse: false, colbert: true },
      { signal: ctx.signal, onProgress: progressLogger(enc.length, ctx.log) },
    );
    for (const e of embs) {
      dense.add(e.dense!);
      colbert.add(e.colbert!);
    }
    const ranges: CalibrationRanges = {
      hash: key.slice(0, 8),
      set: { name: set.name, texts: set.texts.length, sha256 },
      dense: dense.ranges(),
      colbert: colbert.ranges(),
    };
    const file = writeCache(loaded.calibrationDir, model, key, ranges);
    ctx.log?.(`calibration ${ranges.hash} from ${set.texts.length} texts (${set.name}) written to ${file}`);
    return ranges;
  }

  /** calibration() for a prediction: one that cannot be made is the client's 422 on vector_type. */
  /** The calibration when vector_type int8/uint8 quantizes something: returned vectors, or scores with score_compact. */
  private async calibrationIfUsed(input: Input): Promise<CalibrationRanges | undefined> {
    const quantizes = input.return_dense || input.return_colbert || (input.query !== undefined && input.score_compact === true);
    return needsCalibration(input.vector_type) && quantizes ? this.calibrationFor(input) : undefined;
  }

  private async calibrationFor(input: Input): Promise<CalibrationRanges> {
    try {
      return await this.calibration();
    } catch (err) {
      throw new InputValidationError([
        {
          field: 'vector_type',
          loc: ['vector_type'],
          type: 'value_error',
          message: `vector_type ${input.vector_type} needs a calibration of these weights, and none could be made (${(err as Error).message}): run \`cli.ts calibrate\` (--input FILE for your own texts), or choose vector_type float32, float16, binary or ubinary`,
        },
      ]);
    }
  }

  /**
   * Dense and/or sparse vectors of texts or token-id arrays (the OpenAI and TEI
   * routes): the same tokenizer, scheduler and heads as predict(), so the
   * numbers are the same; length rules in src/api/embed-request.ts.
   */
  async embed(req: EmbedRequest, ctx: PredictContext = {}): Promise<EmbedResult> {
    const { tokenizer, scheduler } = this.requireSetup();
    const enc = await encodeEmbedInputs(tokenizer, req, (texts, maxLength) => encodeInSlices(tokenizer, texts, maxLength, ctx.signal));
    const need = { dense: req.dense, sparse: req.sparse, colbert: false };
    const embs = await scheduler.submit(
      enc.map((e) => e.ids),
      need,
      { signal: ctx.signal, onProgress: progressLogger(enc.length, ctx.log) },
    );
    return {
      tokenCounts: enc.map((e) => e.ids.length),
      truncated: enc.map((e) => e.truncated),
      dense: req.dense ? embs.map((e) => Array.from(e.dense!)) : undefined,
      sparse: req.sparse ? embs.map((e, i) => lexicalWeights(enc[i].ids, e.tokenWeights!)) : undefined,
    };
  }

  /**
   * Documents ranked against a query by BGE-M3's hybrid score, FlagEmbedding's
   * compute_score: the same numbers as predict()'s `scores` for the same texts,
   * query and weights. The query and the documents go to the scheduler as one
   * job (the query embedded once); only the scores are built from the vectors.
   * Throws RerankInputError for a request the protocols answer with a 4xx.
   */
  async rerank(req: RerankRequest, ctx: PredictContext = {}): Promise<RerankResult> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    checkRerankRequest(req);
    const weights = req.weights ?? rerankWeights();
    const enc = await encodeRerankTexts(tokenizer, req, (texts, maxLength) => encodeInSlices(tokenizer, texts, maxLength, ctx.signal));
    const all = [...enc.documents, enc.query];
    const embs = await scheduler.submit(
      all.map((e) => e.ids),
      { dense: true, sparse: true, colbert: true },
      { signal: ctx.signal, onProgress: progressLogger(all.length, ctx.log) },
    );
    const query = { ids: enc.query.ids, emb: embs[enc.documents.length] };
    return {
      scores: scoreDocuments(
        query,
        enc.documents.map((e, i) => ({ ids: e.ids, emb: embs[i] })),
        info.dim,
        weights,
      ),
      weights,
      tokenCounts: enc.documents.map((e) => e.ids.length),
      truncated: enc.documents.map((e) => e.truncated),
      queryTokenCount: enc.query.ids.length,
      queryTruncated: enc.query.truncated,
    };
  }

  /** Every token of `text` with its UTF-16 offsets, as the Rust tokenizers library reports them. */
  async tokenize(text: string, opts: { addSpecialTokens: boolean }): Promise<TokenSpan[]> {
    return (await this.tokenSpans()).encode(text, opts.addSpecialTokens);
  }

  /** tokenizer.decode(ids, skip_special_tokens); throws RangeError on an id outside the vocabulary. */
  async decode(ids: readonly number[], opts: { skipSpecialTokens: boolean }): Promise<string> {
    return (await this.tokenSpans()).decode(ids, opts.skipSpecialTokens);
  }

  private tokenSpans(): Promise<TokenSpans> {
    const loaded = this.requireSetup();
    loaded.spans ??= TokenSpans.fromFile(loaded.tokenizerPath);
    return loaded.spans;
  }

  /**
   * Rejects every prediction not yet answered at once (the batch in flight
   * included) and every later call, then frees the worker threads: resolves
   * once the model thread has finished the forward pass it was in.
   */
  close(): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return this.closing ?? Promise.resolve();
    this.loaded = undefined;
    loaded.scheduler.close(closedError());
    this.closing = (async () => {
      await loaded.pooler.close();
      await loaded.model.release();
    })();
    return this.closing;
  }

  private requireSetup(): Loaded {
    if (!this.loaded) throw this.closing ? closedError() : new Error('Predictor.setup() must finish before predict() is called.');
    return this.loaded;
  }
}

/** What predictChunks cannot serve: a prediction without chunks, or scores, which need every chunk at once. */
function checkStreamable(input: Input): void {
  const issue = (field: string, message: string) => new InputValidationError([{ field, loc: [field], type: 'value_error', message }]);
  if (input.chunk_tokens <= 0)
    throw issue('chunk_tokens', 'predictChunks hands on chunks, and needs chunk_tokens above 0: set chunk_tokens, or call predict()');
  if (input.query !== undefined) {
    throw issue(
      'query',
      "predictChunks hands chunks on as they are embedded, and scores rank a text's merged outputs, which need all its chunks: leave query out, or call predict()",
    );
  }
}

function closedError(): Error {
  return new Error(
    'The model was closed (Predictor.close(), as at shutdown) before this prediction finished, so it has no result: send it again once the model is set up again.',
  );
}

/** Longest stretch of tokenization between two turns of the event loop. */
const TOKENIZE_SLICE_MS = 20;

/**
 * Tokenizes on the event loop in slices of about TOKENIZE_SLICE_MS, yielding
 * between them, also inside one long text (the tokenizer works in chunks): a
 * request of 1024 long texts takes over a minute to tokenize, and must not hold
 * up /health-check, the batches of other predictions or a cancel meanwhile.
 */
export async function encodeInSlices(
  tokenizer: BgeTokenizer,
  texts: string[],
  maxLength: number,
  signal?: AbortSignal,
  sliceMs = TOKENIZE_SLICE_MS,
): Promise<Encoding[]> {
  const out: Encoding[] = [];
  let sliceStart = performance.now();
  for (const text of texts) {
    const steps = tokenizer.encodeSteps(text, maxLength);
    for (;;) {
      if (performance.now() - sliceStart > sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      if (signal?.aborted) throw abortError();
      const step = steps.next();
      if (step.done) {
        out.push(step.value);
        break;
      }
    }
  }
  return out;
}

/** Runs <s></s> through every head: proves the model works and measures its width. */
async function warmUp(model: ModelWorker): Promise<number> {
  const [out] = await model.run([[0, 2]], { dense: true, sparse: true, colbert: true }).catch((err: Error) => {
    throw new Error(
      `The model failed its first run: ${err.message}. The weights may be incomplete or not a BGE-M3 export; run \`npm run weights\` again or check BGE_M3_WEIGHTS.`,
    );
  });
  return out.dense!.length;
}
