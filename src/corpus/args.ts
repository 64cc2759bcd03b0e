// `cli.ts embed` arguments → a JobSpec, with errors that say what to fix.
import { parseArgs } from 'node:util';
import { MAX_POOLED_ROWS } from '../api/output.ts';
import { MAX_POSITION_TOKENS } from '../engine/model-facts.ts';
import { parsePrecision, type Precision } from '../engine/onnx/precision.ts';
import { setting, type Env } from '../settings.ts';
import type { Compact } from './embedded-row.ts';
import { CorpusError } from './errors.ts';
import type { JobSpec } from './job.ts';
import { inputFormatOf } from './readers/open.ts';
import { resolveShard } from './shard.ts';

export const EMBED_HELP = `Usage: npx tsx cli.ts embed --input PATH --output DIR [options]   (or npm run embed -- ...)

Embeds every row of a JSONL, CSV or Parquet file into numbered Parquet (or JSONL) parts.
Rerunning the same command continues after the last complete part. One process writes a shard at
a time (its lease file in the output directory); after an input error, fix the file and rerun.

  --input PATH          .jsonl/.ndjson (one object per line), .csv (with a header) or .parquet
  --output DIR          where the parts and the shard's manifest go (created if missing)
  --format F            parquet (default) or jsonl
  --id-column NAME      the id column (default: "id" when present, else the row number)
  --text-column NAME    the text column (default: text)
  --max-length N        tokens kept per text, 1-${MAX_POSITION_TOKENS} (default ${MAX_POSITION_TOKENS}); longer texts are flagged truncated
  --no-dense            leave out the dense vector
  --no-sparse           leave out sparse_indices / sparse_values
  --colbert             add the ColBERT vectors (one per token: large)
  --sparse-top-k K      keep each text's K largest lexical weights (default: all)
  --sparse-min-weight W drop lexical weights below W, a number >= 0 (default: none dropped)
  --colbert-pool-factor F
                        pool each text's ColBERT vectors F to 1 by Ward clustering (default 1: no
                        pooling; needs --max-length 1025 or less; README, compact outputs)
  --chunk-tokens N      split each text into chunks of at most N tokens (at most --max-length - 2)
                        and write one row per chunk: the document's id, chunk_index, and its
                        chunk_start/chunk_end in code points (default 0: each text whole, truncated)
  --chunk-overlap M     tokens neighbouring chunks may share, below N (default 0)
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
  const spec: JobSpec = {
    input: values.input,
    output: values.output,
    format,
    idColumn: values['id-column'],
    textColumn: values['text-column'] ?? 'text',
    maxLength: intIn('--max-length', values['max-length'], MAX_POSITION_TOKENS, 1, MAX_POSITION_TOKENS),
    dense: !values['no-dense'],
    sparse: !values['no-sparse'],
    colbert: Boolean(values.colbert),
    compact: compactOf(values),
    chunk: chunkOf(values),
    shard: resolveShard(values.shard, values.shards, env),
    restart: Boolean(values.restart),
    weights: values.weights ?? defaultWeights,
    precision: precisionOf(values.precision, env),
    partRows: intIn('--part-rows', values['part-rows'], DEFAULT_PART_ROWS, 1, 1_000_000),
  };
  if (!spec.dense && !spec.sparse && !spec.colbert) {
    throw new CorpusError('--no-dense and --no-sparse without --colbert leave nothing to embed');
  }
  const pooling = spec.colbert && (spec.compact?.colbertPoolFactor ?? 1) > 1;
  if (pooling && spec.maxLength > MAX_POOLED_ROWS + 1) {
    throw new CorpusError(`--colbert-pool-factor pools texts of at most ${MAX_POOLED_ROWS} ColBERT vectors: add --max-length ${MAX_POOLED_ROWS + 1} (or less)`);
  }
  checkChunking(spec);
  return { help: false, spec };
}

function chunkOf(values: Record<string, string | boolean | undefined>): JobSpec['chunk'] {
  const tokens = intIn('--chunk-tokens', values['chunk-tokens'] as string | undefined, 0, 0, MAX_POSITION_TOKENS - 2);
  const overlap = intIn('--chunk-overlap', values['chunk-overlap'] as string | undefined, 0, 0, MAX_POSITION_TOKENS);
  if (tokens === 0 && overlap > 0) throw new CorpusError('--chunk-overlap needs --chunk-tokens: add --chunk-tokens N (the chunk size)');
  return tokens === 0 ? undefined : { tokens, overlap };
}

/** The Predictor's chunk_tokens rules, up front rather than at the first row. */
function checkChunking(spec: JobSpec): void {
  if (!spec.chunk) return;
  const { tokens, overlap } = spec.chunk;
  if (overlap >= tokens) throw new CorpusError(`--chunk-overlap (${overlap}) must be below --chunk-tokens (${tokens})`);
  if (tokens > spec.maxLength - 2)
    throw new CorpusError(`--chunk-tokens (${tokens}) must be at most --max-length - 2 (${spec.maxLength - 2}): lower it or raise --max-length`);
  if ((spec.compact?.colbertPoolFactor ?? 1) > 1) throw new CorpusError('--colbert-pool-factor cannot be combined with --chunk-tokens: leave one of them out');
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
