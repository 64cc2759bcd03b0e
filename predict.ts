// The BGE-M3 predictor: setup() loads the tokenizer and ONNX sessions once;
// predict() validates its input against schema.json and returns dense, sparse
// and ColBERT outputs from one forward pass. The HTTP server and the CLI call
// only this class.
import path from 'node:path';
import { findModelFiles } from './src/engine/model-files.ts';
import { ModelWorker } from './src/engine/model-worker.ts';
import type { SessionSettings } from './src/engine/onnx-model.ts';
import { parsePrecision, type Precision } from './src/engine/onnx/precision.ts';
import { abortError, Scheduler, type SchedulerOptions } from './src/engine/scheduler.ts';
import { DEFAULT_WEIGHTS_DIR } from './src/engine/weights/download.ts';
import { BgeTokenizer, type Encoding } from './src/engine/tokenizer/bge-tokenizer.ts';
import type { Need } from './src/engine/types.ts';
import { validateInput } from './src/input.ts';
import { buildOutput, checkOutputSize, type Encoded } from './src/output.ts';
import type { Input, Output } from './src/schema-types.ts';

export type { Input, Output };
export { InputValidationError } from './src/input.ts';

export interface SetupOptions {
  /** Weights directory; default BGE_M3_WEIGHTS, then COG_WEIGHTS, then ./weights. */
  weights?: string;
  log?: (line: string) => void;
  /** Padded tokens per batch; default BGE_M3_MAX_BATCH_TOKENS or DEFAULT_MAX_BATCH_TOKENS. */
  maxBatchTokens?: number;
  session?: SessionSettings;
  /** 'fp32' (exact, the default) or 'int8' (dynamically quantized weight MatMuls); default BGE_M3_PRECISION. */
  precision?: Precision;
  /** Batching beyond the token budget; benchmarks set arrivalBatchSize for the naive baseline. */
  scheduler?: Pick<SchedulerOptions, 'minFill' | 'arrivalBatchSize'>;
}

export interface PredictContext {
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface ModelInfo {
  weights: string;
  model: string;
  layout: string;
  dim: number;
  maxBatchTokens: number;
  precision: Precision;
}

interface Loaded {
  tokenizer: BgeTokenizer;
  model: ModelWorker;
  scheduler: Scheduler;
  info: ModelInfo;
}

/**
 * Measured on the full-size model (BENCHMARKS.md): throughput is flat from
 * about 256 padded tokens per pass and falls beyond ~1024 (activations outgrow
 * the CPU caches), while a bigger batch only makes everyone in it wait longer.
 */
export const DEFAULT_MAX_BATCH_TOKENS = 1024;

export function defaultWeightsDir(): string {
  return process.env.BGE_M3_WEIGHTS || process.env.COG_WEIGHTS || DEFAULT_WEIGHTS_DIR;
}

export class Predictor {
  private loaded?: Loaded;

  get info(): ModelInfo | undefined {
    return this.loaded?.info;
  }

  async setup(opts: SetupOptions = {}): Promise<void> {
    if (this.loaded) return;
    const log = opts.log ?? ((line: string) => console.log(line));
    const dir = opts.weights ?? defaultWeightsDir();
    log(`Loading BGE-M3 from ${dir}`);
    const files = await findModelFiles(dir);
    const tokenizer = await BgeTokenizer.fromFile(files.tokenizer);
    const maxBatchTokens = opts.maxBatchTokens ?? envInt('BGE_M3_MAX_BATCH_TOKENS') ?? DEFAULT_MAX_BATCH_TOKENS;
    const precision = opts.precision ?? parsePrecision(process.env.BGE_M3_PRECISION, 'BGE_M3_PRECISION') ?? 'fp32';
    const model = await ModelWorker.start(files, { intraOpThreads: envInt('BGE_M3_THREADS'), precision, ...opts.session });
    const scheduler = new Scheduler((batch, need) => model.run(batch, need), { maxBatchTokens, maxRows: model.fixedBatch, ...opts.scheduler });
    const dim = await warmUp(model);
    const layout = model.layout.kind === 'backbone' ? `${model.layout.hidden} + .pt heads` : `heads in graph (${Object.values(model.layout.outputs).join(', ')})`;
    this.loaded = { tokenizer, model, scheduler, info: { weights: files.dir, model: files.model, layout, dim, maxBatchTokens, precision } };
    log(`Loaded ${path.relative(files.dir, files.model)} (${layout}), ${dim} dimensions, ${tokenizer.vocabSize} token ids, batches of up to ${maxBatchTokens} padded tokens, ${model.attention}, precision ${model.precision}`);
  }

  async predict(raw: unknown, ctx: PredictContext = {}): Promise<Output> {
    const { tokenizer, scheduler, info } = this.requireSetup();
    const input = validateInput(raw);
    const encoded = await encodeInSlices(tokenizer, [...input.texts, ...(input.query === undefined ? [] : [input.query])], input.max_length, ctx.signal);
    const enc: Encoded = {
      texts: encoded.slice(0, input.texts.length),
      query: input.query === undefined ? undefined : encoded[input.texts.length],
    };
    checkOutputSize(input, enc);
    const all = enc.query ? [...enc.texts, enc.query] : enc.texts;
    const embs = await scheduler.submit(all.map((e) => e.ids), needOf(input), {
      signal: ctx.signal,
      onProgress: progressLogger(all.length, ctx.log),
    });
    return buildOutput(input, enc, embs, { dim: info.dim, tokenText: (id) => tokenizer.tokenText(id) });
  }

  async close(): Promise<void> {
    await this.loaded?.model.release();
    this.loaded = undefined;
  }

  private requireSetup(): Loaded {
    if (!this.loaded) throw new Error('Predictor.setup() must finish before predict() is called.');
    return this.loaded;
  }
}

/** Longest stretch of tokenization between two turns of the event loop. */
const TOKENIZE_SLICE_MS = 20;

/**
 * Tokenizes on the event loop in slices of about TOKENIZE_SLICE_MS, yielding
 * between them: a request of 1024 long texts takes over a minute to tokenize,
 * and must not hold up the batches of other predictions (or a cancel) meanwhile.
 */
async function encodeInSlices(tokenizer: BgeTokenizer, texts: string[], maxLength: number, signal?: AbortSignal): Promise<Encoding[]> {
  const out: Encoding[] = [];
  let sliceStart = performance.now();
  for (const text of texts) {
    if (performance.now() - sliceStart > TOKENIZE_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    if (signal?.aborted) throw abortError();
    out.push(tokenizer.encode(text, maxLength));
  }
  return out;
}

function needOf(input: Input): Need {
  const scoring = input.query !== undefined;
  return { dense: input.return_dense || scoring, sparse: input.return_sparse || scoring, colbert: input.return_colbert || scoring };
}

/** Runs <s></s> through every head: proves the model works and measures its width. */
async function warmUp(model: ModelWorker): Promise<number> {
  const [out] = await model.run([[0, 2]], { dense: true, sparse: true, colbert: true }).catch((err: Error) => {
    throw new Error(`The model failed its first run: ${err.message}. The weights may be incomplete or not a BGE-M3 export; run \`npm run weights\` again or check BGE_M3_WEIGHTS.`);
  });
  return out.dense!.length;
}

function progressLogger(total: number, log?: (line: string) => void): ((done: number) => void) | undefined {
  if (!log || total < 2) return undefined;
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    log(`embedded ${done}/${total} texts`);
  };
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}
