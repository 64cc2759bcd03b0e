// `cli.ts embed` arguments → a JobSpec, with errors that say what to fix.
import { parseArgs } from 'node:util';
import { InputValidationError } from '../api/errors.ts';
import { validateInput } from '../api/input.ts';
import { MCLS_MAX_CONTENT } from '../api/mcls.ts';
import { inputSchema } from '../api/schema.ts';
import type { VectorType } from '../api/vector-types.ts';
import { MAX_POSITION_TOKENS } from '../engine/model-facts.ts';
import { parsePrecision, type Precision } from '../engine/onnx/precision.ts';
import { setting, type Env } from '../settings.ts';
import { predictionInput } from './embed-window.ts';
import type { Compact } from './embedded-row.ts';
import { CorpusError } from './errors.ts';
import type { JobSpec } from './job.ts';
import { inputFormatOf } from './readers/open.ts';
import { resolveShard } from './shard.ts';

/** Most tokens a text keeps under MCLS (its inserted <s> fill the model's other positions). */
const MCLS_MAX_LENGTH = MCLS_MAX_CONTENT + 2;

export const EMBED_HELP = `Usage: npx tsx cli.ts embed --input PATH --output DIR [options]   (or npm run embed -- ...)

Embeds every row of a JSONL, CSV or Parquet file into numbered Parquet (or JSONL) parts.
Rerunning the same command continues after the last complete part. One process writes a shard at
a time (its lease file in the output directory); after an input error, fix the file and rerun.

  --input PATH          .jsonl/.ndjson (one object per line), .csv (with a header) or .parquet
  --output DIR          where the parts and the shard's manifest go (created if missing)
  --format F            parquet (default) or jsonl
  --id-column NAME      the id column (default: "id" when present, else the row number)
  --text-column NAME    the text column (default: text)
  --max-length N        tokens kept per text, 1-${MAX_POSITION_TOKENS} (default ${MAX_POSITION_TOKENS}, ${MCLS_MAX_LENGTH} with --dense-pooling mcls);
                        longer texts are flagged truncated
  --no-dense            leave out the dense vector
  --no-sparse           leave out sparse_indices / sparse_values
  --colbert             add the ColBERT vectors (one per token: large)
  --sparse-top-k K      keep each text's K largest lexical weights (default: all)
  --sparse-min-weight W drop lexical weights below W, a number >= 0 (default: none dropped)
  --colbert-pool-factor F
                        pool each text's ColBERT vectors F to 1 by Ward clustering (default 1: no
                        pooling; README, compact outputs)
  --dense-pooling P     cls (default: BGE-M3's <s> vector) or mcls: the dense vector pooled over an
                        <s> inserted every 256 tokens, as /predictions' dense_pooling "mcls" (README,
                        long documents); --max-length at most ${MCLS_MAX_LENGTH}, not with --chunk-tokens
  --vector-type T       float32 (default), float16, int8, uint8, binary or ubinary: dense and
                        ColBERT vectors as /predictions' vector_type sends them (int8/uint8 use
                        the weights' calibration, named in the manifest; README, compact outputs)
  --chunk-tokens N      split each text into chunks of at most N tokens (at most --max-length - 2)
                        and write one row per chunk: the document's id, chunk_index, and its
                        chunk_start/chunk_end in code points (default 0: each text whole, truncated)
  --chunk-overlap M     tokens neighbouring chunks may share, below N (default 0)
  --chunk-context C     none (default: each chunk embedded on its own) or document: contextual
                        chunks, each document run once (in windows of --max-length tokens) and
                        every chunk given its own tokens' outputs from that pass, as /predictions'
                        chunk_context "document" (README, long documents); needs --chunk-tokens
  --shard I/N           embed only rows r with r % N == I (default: JOB_COMPLETION_INDEX of
                        --shards N or BGE_M3_SHARDS; else 0/1)
  --shards N            the shard count, with the index from JOB_COMPLETION_INDEX
  --restart             remove this shard's earlier output and start over
  --weights DIR         weights directory (default BGE_M3_WEIGHTS, COG_WEIGHTS, ./weights)
  --precision P         fp32 or int8 (default BGE_M3_PRECISION, else fp32); int8 is faster and
                        deviates slightly (README, int8 precision)
  --part-rows N         rows per part (default 1000; fewer with --colbert on long texts):
                        a killed run redoes at most one part`;

export const DEFAULT_PART_ROWS = 1000;

export type ParsedEmbedArgs = { help: true } | { help: false; spec: JobSpec };

export function parseEmbedArgs(argv: string[], env: Env | undefined, defaultWeights: string): ParsedEmbedArgs {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        input: { type: 'string' },
        output: { type: 'string' },
        format: { type: 'string' },
        'id-column': { type: 'string' },
        'text-column': { type: 'string' },
        'max-length': { type: 'string' },
        'no-dense': { type: 'boolean' },
        'no-sparse': { type: 'boolean' },
        colbert: { type: 'boolean' },
        'sparse-top-k': { type: 'string' },
        'sparse-min-weight': { type: 'string' },
        'colbert-pool-factor': { type: 'string' },
        'chunk-tokens': { type: 'string' },
        'chunk-overlap': { type: 'string' },
        'chunk-context': { type: 'string' },
        'dense-pooling': { type: 'string' },
        'vector-type': { type: 'string' },
        shard: { type: 'string' },
        shards: { type: 'string' },
        restart: { type: 'boolean' },
        weights: { type: 'string' },
        precision: { type: 'string' },
        'part-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new CorpusError((err as Error).message);
  }
  if (values.help) return { help: true };
  if (!values.input) throw new CorpusError('--input PATH is required');
  if (!values.output) throw new CorpusError('--output DIR is required');
  inputFormatOf(values.input);
  const format = values.format ?? 'parquet';
  if (format !== 'parquet' && format !== 'jsonl') throw new CorpusError(`--format must be parquet or jsonl (got "${format}")`);
  const densePooling = densePoolingOf(values['dense-pooling'], values['no-dense']);
  const spec: JobSpec = {
    input: values.input,
    output: values.output,
    format,
    idColumn: values['id-column'],
    textColumn: values['text-column'] ?? 'text',
    maxLength: maxLengthOf(values['max-length'], densePooling),
    dense: !values['no-dense'],
    sparse: !values['no-sparse'],
    colbert: Boolean(values.colbert),
    compact: compactOf(values),
    chunk: chunkOf(values),
    densePooling,
    vectorType: vectorTypeOf(values['vector-type']),
    shard: resolveShard(values.shard, values.shards, env),
    restart: Boolean(values.restart),
    weights: values.weights ?? defaultWeights,
    precision: precisionOf(values.precision, env),
    partRows: intIn('--part-rows', values['part-rows'], DEFAULT_PART_ROWS, 1, 1_000_000),
  };
  if (!spec.dense && !spec.sparse && !spec.colbert) {
    throw new CorpusError('--no-dense and --no-sparse without --colbert leave nothing to embed');
  }
  checkAsPrediction(predictionInput(['x'], spec));
  return { help: false, spec };
}

function chunkOf(values: Record<string, string | boolean | undefined>): JobSpec['chunk'] {
  const tokens = intIn('--chunk-tokens', values['chunk-tokens'] as string | undefined, 0, 0, MAX_POSITION_TOKENS - 2);
  const overlap = intIn('--chunk-overlap', values['chunk-overlap'] as string | undefined, 0, 0, MAX_POSITION_TOKENS);
  const context = (values['chunk-context'] as string | undefined) ?? 'none';
  checkAsPrediction({ texts: ['x'], chunk_tokens: tokens, chunk_overlap: overlap, chunk_context: context });
  if (tokens === 0) return undefined;
  return context === 'document' ? { tokens, overlap, context } : { tokens, overlap };
}

function densePoolingOf(flag: string | undefined, noDense: boolean | undefined): JobSpec['densePooling'] {
  if (flag === undefined) return undefined;
  checkAsPrediction({ texts: ['x'], dense_pooling: flag });
  if (flag === 'cls') return undefined;
  if (noDense) throw new CorpusError('--dense-pooling mcls pools the dense vector, which --no-dense leaves out: drop one of them');
  return 'mcls';
}

/**
 * --max-length; with MCLS at most MCLS_MAX_LENGTH (and that by default), where /predictions would
 * refuse each longer text with a 422 on its own.
 */
function maxLengthOf(flag: string | undefined, densePooling: JobSpec['densePooling']): number {
  if (densePooling !== 'mcls') return intIn('--max-length', flag, MAX_POSITION_TOKENS, 1, MAX_POSITION_TOKENS);
  const n = intIn('--max-length', flag, MCLS_MAX_LENGTH, 1, MAX_POSITION_TOKENS);
  if (n > MCLS_MAX_LENGTH) {
    throw new CorpusError(
      `--max-length (${n}) must be at most ${MCLS_MAX_LENGTH} with --dense-pooling mcls: a text's inserted <s> (one per 256 tokens) count against the model's ${MAX_POSITION_TOKENS} positions; lower --max-length or leave it out`,
    );
  }
  return n;
}

/** The flag that sets each /predictions field the job sends. */
const FLAGS: Record<string, string> = {
  max_length: '--max-length',
  chunk_tokens: '--chunk-tokens',
  chunk_overlap: '--chunk-overlap',
  chunk_context: '--chunk-context',
  dense_pooling: '--dense-pooling',
  colbert_pool_factor: '--colbert-pool-factor',
  sparse_top_k: '--sparse-top-k',
  sparse_min_weight: '--sparse-min-weight',
  vector_type: '--vector-type',
};

/**
 * /predictions' own input rules (the chunking and context combinations among them) on what the
 * job will send, up front rather than at the first row; their messages name the flags.
 */
function checkAsPrediction(input: Record<string, unknown>): void {
  try {
    validateInput(input);
  } catch (err) {
    if (!(err instanceof InputValidationError)) throw err;
    const inFlags = (message: string) => message.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => FLAGS[name] ?? name);
    throw new CorpusError(err.issues.map((i) => inFlags(i.message)).join('; '));
  }
}

function compactOf(values: Record<string, string | boolean | undefined>): Compact | undefined {
  const text = (flag: string) => values[flag] as string | undefined;
  const compact: Compact = {};
  if (text('sparse-top-k') !== undefined) compact.sparseTopK = intIn('--sparse-top-k', text('sparse-top-k'), 0, 1, 1_000_000);
  const minWeight = text('sparse-min-weight');
  if (minWeight !== undefined) {
    const w = Number(minWeight);
    if (minWeight.trim() === '' || !Number.isFinite(w) || w < 0) {
      throw new CorpusError(`--sparse-min-weight must be a finite number at least 0 (got "${minWeight}")`);
    }
    compact.sparseMinWeight = w;
  }
  const factor = text('colbert-pool-factor');
  if (factor !== undefined) compact.colbertPoolFactor = intIn('--colbert-pool-factor', factor, 1, 1, 1_000_000);
  return Object.keys(compact).length ? compact : undefined;
}

function vectorTypeOf(flag: string | undefined): VectorType | undefined {
  if (flag === undefined) return undefined;
  const VECTOR_TYPES = inputSchema.properties.vector_type.enum!;
  if (!(VECTOR_TYPES as readonly string[]).includes(flag)) throw new CorpusError(`--vector-type must be one of ${VECTOR_TYPES.join(', ')} (got "${flag}")`);
  return flag as VectorType;
}

function precisionOf(flag: string | undefined, env?: Env): Precision {
  try {
    return parsePrecision(flag, '--precision') ?? setting('BGE_M3_PRECISION', env);
  } catch (err) {
    throw new CorpusError((err as Error).message);
  }
}

function intIn(flag: string, text: string | undefined, fallback: number, lo: number, hi: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < lo || n > hi) throw new CorpusError(`${flag} must be an integer from ${lo} to ${hi} (got "${text}")`);
  return n;
}
