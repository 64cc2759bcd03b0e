// The corpus job for one shard: read the input, embed this shard's rows
// through the Predictor, write them in numbered parts, each made whole before
// it is listed in the manifest; a rerun continues after the last listed part.
// One process at a time holds the shard's lease (lease.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Precision } from '../engine/onnx/precision.ts';
import { needsCalibration } from '../api/vector-types.ts';
import { embedInWindow, DEFAULT_CHUNK_ROWS, DEFAULT_WINDOW_ROWS, type Embedder } from './embed-window.ts';
import { embedChunksInWindow } from './embed-chunks.ts';
import type { Outputs } from './embedded-row.ts';
import { CorpusError, InputError } from './errors.ts';
import {
  differences,
  manifestPath,
  onlyEdited,
  readManifest,
  writeManifest,
  intactParts,
  MANIFEST_VERSION,
  type JobOptions,
  type Manifest,
} from './manifest.ts';
import { fixedSinceStop, stopAtInputError } from './input-stop.ts';
import { clearShard, clearUnfinished, otherSplits, partFileName } from './output-dir.ts';
import type { JobProgress } from './progress.ts';
import { Lease, leasePath } from './lease.ts';
import { checkReadable, openReader } from './readers/open.ts';
import type { RowReader } from './readers/types.ts';
import { inShard, shardName, type Shard } from './shard.ts';
import { PartWriter } from './writers/part-writer.ts';

/**
 * A part also ends at this many ColBERT vectors (32 MiB as float32), at the first document
 * boundary after it, and its rows are written a group of at most this many vectors (or
 * --part-rows rows) at a time: hyparquet-writer holds about 24 times a row group's vectors while
 * it encodes the nested lists (BENCHMARKS.md, "Choosing the Parquet library"), about 0.75 GiB
 * here, and a part that holds one long document's thousands of chunk rows is written in many
 * such groups. Part and group boundaries depend only on the input and the options.
 */
export const MAX_PART_COLBERT_VECTORS = 8_192;

export interface JobSpec extends Outputs {
  input: string;
  output: string;
  format: 'parquet' | 'jsonl';
  idColumn?: string;
  textColumn: string;
  maxLength: number;
  shard: Shard;
  restart: boolean;
  weights: string;
  precision: Precision;
  partRows: number;
  /** Rows in flight and rows per predict() (or predictChunks()) call; defaults in embed-window.ts. */
  windowRows?: number;
  chunkRows?: number;
}

export interface JobDeps {
  /** Loads the model, called only once the input and output checked out. */
  loadPredictor: () => Promise<Embedder & { info?: { dim: number; hiddenStates?: boolean; layout?: string } }>;
  progress: JobProgress;
}

export interface JobSummary {
  rows: number;
  tokens: number;
  partsWritten: number;
  partsSkipped: number;
  seconds: number;
  alreadyComplete: boolean;
}

export async function runJob(spec: JobSpec, deps: JobDeps): Promise<JobSummary> {
  const log = deps.progress.log;
  const started = Date.now();
  const stat = checkReadable(spec.input);
  const reader = await openReader(spec.input, { idColumn: spec.idColumn, textColumn: spec.textColumn });
  const dir = prepareOutput(spec.output);
  const name = shardName(spec.shard);
  const lease = Lease.acquire(leasePath(dir, name), { log });
  try {
    return await runLeased(spec, deps, { reader, stat, dir, name, lease, started });
  } finally {
    lease.release();
  }
}

interface Leased {
  reader: RowReader;
  stat: { size: number; mtimeMs: number };
  dir: string;
  name: string;
  lease: Lease;
  started: number;
}

async function runLeased(spec: JobSpec, deps: JobDeps, { reader, stat, dir, name, lease, started }: Leased): Promise<JobSummary> {
  const log = deps.progress.log;
  otherSplits(dir, spec.shard, spec.restart);
  const mfile = manifestPath(dir, name);
  if (spec.restart) clearShard(dir, spec.shard);
  const input = { path: path.resolve(spec.input), size: stat.size, mtime_ms: stat.mtimeMs };
  const options = jobOptions(spec);
  const previous = readManifest(mfile);
  const diffs = previous ? differences(previous, input, options) : [];
  if (diffs.length && !(await fixedSinceStop(previous!, spec.input, input, options, log))) {
    const prefix =
      previous!.stopped && onlyEdited(previous!, input, options)
        ? `; the first ${previous!.stopped.prefix_bytes} bytes, which its complete parts were made from, changed too`
        : '';
    throw new CorpusError(
      `${mfile} was made from other input or options (${diffs.join('; ')}${prefix}): its parts would not mix with these. Pass --restart to start ${name} over, or write to another --output.`,
    );
  }
  const kept = previous ? intactParts(dir, previous.parts) : [];
  for (const f of clearUnfinished(dir, spec.shard, kept)) log(`Removed ${f}, left unfinished by an earlier run`);
  const summary: JobSummary = { rows: 0, tokens: 0, partsWritten: 0, partsSkipped: kept.length, seconds: 0, alreadyComplete: false };
  if (previous?.complete && kept.length === previous.parts.length) {
    return { ...summary, alreadyComplete: true, seconds: (Date.now() - started) / 1000 };
  }
  const manifest: Manifest = { version: MANIFEST_VERSION, shard: spec.shard, input, options, parts: kept, complete: false };
  if (kept.length && previous?.calibration) manifest.calibration = previous.calibration;
  writeManifest(mfile, manifest);
  if (kept.length) log(`${name}: ${kept.length} complete part(s) found, continuing after row ${kept[kept.length - 1].last_row}`);

  const predictor = await deps.loadPredictor();
  const dim = predictor.info?.dim;
  if (!dim) throw new Error('the Predictor did not report its vector dimension (info.dim) after setup');
  checkHiddenStates(spec, predictor.info!);
  const calibration = await calibrationOf(spec, predictor);
  if (kept.length && manifest.calibration !== calibration) {
    throw new CorpusError(
      `${mfile}: its parts were quantized with calibration ${manifest.calibration ?? '(none recorded)'}, and these weights' calibration is now ${calibration}: the vectors would not mix. Pass --restart to start ${name} over, write to another --output, or make that calibration current again with \`cli.ts calibrate\` on the same texts.`,
    );
  }
  if (calibration !== manifest.calibration) {
    manifest.calibration = calibration;
    writeManifest(mfile, manifest);
  }
  const after = kept.length ? kept[kept.length - 1].last_row : -1;
  const rows = reader.rows({ want: (row) => row > after && inShard(row, spec.shard), startRow: after + 1 });
  const outputs = {
    dense: spec.dense,
    sparse: spec.sparse,
    colbert: spec.colbert,
    compact: spec.compact,
    chunk: spec.chunk,
    densePooling: spec.densePooling,
    vectorType: spec.vectorType,
    maxLength: spec.maxLength,
    windowRows: spec.windowRows ?? DEFAULT_WINDOW_ROWS,
  };
  // --chunk-tokens: the documents' chunks a group at a time, whatever their length (no ColBERT cap to keep under).
  const embedded = spec.chunk
    ? embedChunksInWindow(rows, predictor, { ...outputs, chunkRows: spec.chunkRows ?? DEFAULT_CHUNK_ROWS })
    : embedInWindow(rows, predictor, { ...outputs, chunkRows: spec.chunkRows ?? (spec.colbert ? 1 : DEFAULT_CHUNK_ROWS) });
  deps.progress.resumeAt(reader.fraction());
  const progress = (force = false) => deps.progress.update({ rows: summary.rows, tokens: summary.tokens, fraction: reader.fraction() }, force);
  let part: PartWriter | undefined;
  const flush = () => {
    lease.check();
    const record = part!.finish();
    part = undefined;
    manifest.parts.push(record);
    writeManifest(mfile, manifest);
    summary.partsWritten++;
    log(`${name}: wrote ${record.file} (${record.rows} rows, input rows ${record.first_row}-${record.last_row})`);
  };
  const full = () => part!.rows >= spec.partRows || part!.colbertVectors >= MAX_PART_COLBERT_VECTORS;
  // A part is written a group of rows at a time (a Parquet row group each), so a long document's rows need not all be held.
  const limits = { rows: spec.partRows, colbertVectors: MAX_PART_COLBERT_VECTORS };
  try {
    for await (const row of embedded) {
      // A part holds whole documents: a rerun continues after its last input row.
      if (spec.chunk && part && row.row !== part.lastRow && full()) flush();
      part ??= new PartWriter(dir, manifest.parts.length, partFileName(spec.shard, manifest.parts.length, spec.format), spec.format, spec, dim, limits);
      part.add(row);
      summary.rows++;
      summary.tokens += row.tokenCount;
      progress();
      if (!spec.chunk && full()) flush();
    }
    if (part) flush();
  } catch (err) {
    part?.discard();
    if (err instanceof InputError) throw await stopAtInputError(err, spec.input, mfile, manifest);
    throw err;
  }
  lease.check();
  manifest.complete = true;
  writeManifest(mfile, manifest);
  progress(true);
  return { ...summary, seconds: (Date.now() - started) / 1000 };
}

/** The hash of the calibration int8/uint8 vectors are made with; undefined for the other types. */
async function calibrationOf(spec: JobSpec, predictor: Embedder): Promise<string | undefined> {
  if (!needsCalibration(spec.vectorType ?? 'float32') || !(spec.dense || spec.colbert)) return undefined;
  if (!predictor.calibration) throw new Error('the Predictor cannot tell its calibration, which --vector-type int8/uint8 needs');
  try {
    return (await predictor.calibration()).hash;
  } catch (err) {
    throw new CorpusError(
      `--vector-type ${spec.vectorType} needs a calibration of these weights, and none could be made (${(err as Error).message}): run \`cli.ts calibrate\` (--input FILE for your own texts), or choose float32, float16, binary or ubinary`,
    );
  }
}

/** --chunk-context document and --dense-pooling mcls pool last hidden states: refused before the first row when the export has none (as /predictions' 422). */
function checkHiddenStates(spec: JobSpec, info: { hiddenStates?: boolean; layout?: string }): void {
  if (info.hiddenStates !== false) return;
  const flag = spec.chunk?.context === 'document' ? ['--chunk-context', 'document'] : spec.densePooling === 'mcls' ? ['--dense-pooling', 'mcls'] : undefined;
  if (!flag) return;
  throw new CorpusError(
    `${flag.join(' ')} averages last hidden states, and this model export (${info.layout ?? 'unknown layout'}) computes its heads inside the graph without outputting them: leave ${flag[0]} out, or use weights with token_embeddings or last_hidden_state (the official onnx/ export)`,
  );
}

function prepareOutput(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CorpusError(`cannot create the output directory ${dir}: ${(err as Error).message}`);
  }
  return dir;
}

function jobOptions(spec: JobSpec): JobOptions {
  return {
    format: spec.format,
    id_column: spec.idColumn ?? null,
    text_column: spec.textColumn,
    max_length: spec.maxLength,
    dense: spec.dense,
    sparse: spec.sparse,
    colbert: spec.colbert,
    sparse_top_k: spec.compact?.sparseTopK ?? null,
    sparse_min_weight: spec.compact?.sparseMinWeight ?? null,
    colbert_pool_factor: spec.compact?.colbertPoolFactor ?? 1,
    chunk_tokens: spec.chunk?.tokens ?? 0,
    chunk_overlap: spec.chunk?.overlap ?? 0,
    chunk_context: spec.chunk?.context ?? 'none',
    dense_pooling: spec.densePooling ?? 'cls',
    vector_type: spec.vectorType ?? 'float32',
    part_rows: spec.partRows,
    weights: path.resolve(spec.weights),
    precision: spec.precision,
  };
}
