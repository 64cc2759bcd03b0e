// A shard's record of its work, rewritten atomically after every part: what
// input and options it was made from (a rerun must match them) and which
// parts are complete. A part file not listed here was never finished.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Precision } from '../engine/onnx/precision.ts';
import type { VectorType } from '../api/vector-types.ts';
import { CorpusError } from './errors.ts';
import type { Shard } from './shard.ts';
import { writeFileAtomic } from '../engine/weights/atomic-file.ts';

export const MANIFEST_VERSION = 1;

export interface InputIdentity {
  path: string;
  size: number;
  mtime_ms: number;
}

/** Everything that changes what the parts hold; a rerun must pass the same. */
export interface JobOptions {
  format: 'parquet' | 'jsonl';
  id_column: string | null;
  text_column: string;
  max_length: number;
  dense: boolean;
  sparse: boolean;
  colbert: boolean;
  /** --sparse-top-k, --sparse-min-weight (null: off) and --colbert-pool-factor (1: off). */
  sparse_top_k: number | null;
  sparse_min_weight: number | null;
  colbert_pool_factor: number;
  /** --chunk-tokens and --chunk-overlap (0: each text whole). */
  chunk_tokens: number;
  chunk_overlap: number;
  /** --chunk-context: "document" for contextual chunks, "none" (the default) for chunks embedded on their own. */
  chunk_context: 'none' | 'document';
  /** --dense-pooling: "mcls" or "cls" (the default). */
  dense_pooling: 'cls' | 'mcls';
  /** --vector-type (float32: off). */
  vector_type: VectorType;
  part_rows: number;
  weights: string;
  precision: Precision;
}

export interface PartRecord {
  part: number;
  file: string;
  bytes: number;
  /** Rows written: one per input row, or one per chunk with --chunk-tokens (a document's chunks never straddle two parts). */
  rows: number;
  first_row: number;
  last_row: number;
  tokens: number;
  /** Bytes of the input up to the end of the part's last row, where the reader knows it (JSONL, CSV). */
  input_end_byte?: number;
}

/**
 * Set when the job stopped at an input error: the first `prefix_bytes` of
 * the input, which the complete parts were made from, and their SHA-256. A
 * rerun on the fixed input continues if that prefix is unchanged.
 */
export interface StoppedAt {
  error: string;
  prefix_bytes: number;
  prefix_sha256: string;
}

export interface Manifest {
  version: number;
  shard: Shard;
  input: InputIdentity;
  options: JobOptions;
  parts: PartRecord[];
  complete: boolean;
  stopped?: StoppedAt;
  /**
   * The hash of the calibration whose ranges made int8/uint8 parts (GET
   * /calibration serves the ranges); known once the model is loaded, so
   * checked then (calibrationDifference), not with the options.
   */
  calibration?: string;
}

export function manifestPath(dir: string, shardName: string): string {
  return path.join(dir, `${shardName}.manifest.json`);
}

export function readManifest(file: string): Manifest | null {
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m.version !== MANIFEST_VERSION || !Array.isArray(m.parts)) throw new Error(`version ${m.version}`);
    return m;
  } catch (err) {
    throw new CorpusError(`${file} is not a manifest this job can read (${(err as Error).message}); pass --restart to start the shard over`);
  }
}

export function writeManifest(file: string, m: Manifest): void {
  writeFileAtomic(file, Buffer.from(JSON.stringify(m, null, 2) + '\n'));
}

/** Options added after manifests were first written: a manifest without them was made with them off. */
const UNRECORDED_MEANS_OFF: Partial<JobOptions> = {
  sparse_top_k: null,
  sparse_min_weight: null,
  colbert_pool_factor: 1,
  chunk_tokens: 0,
  chunk_overlap: 0,
  chunk_context: 'none',
  dense_pooling: 'cls',
  vector_type: 'float32',
};

/** Why a manifest's parts cannot be continued with this input and these options, or [] when they can. */
export function differences(m: Manifest, input: InputIdentity, options: JobOptions): string[] {
  const out: string[] = [];
  for (const key of Object.keys(input) as (keyof InputIdentity)[]) {
    if (m.input[key] !== input[key]) out.push(`input ${key} was ${JSON.stringify(m.input[key])}, now ${JSON.stringify(input[key])}`);
  }
  for (const key of Object.keys(options) as (keyof JobOptions)[]) {
    const off = !(key in m.options) && key in UNRECORDED_MEANS_OFF;
    const was = off ? UNRECORDED_MEANS_OFF[key] : m.options[key];
    if (!(key in m.options) && !off) out.push(`${key} was not recorded (an older manifest), now ${JSON.stringify(options[key])}`);
    else if (was !== options[key]) out.push(`${key} was ${JSON.stringify(was)}, now ${JSON.stringify(options[key])}`);
  }
  return out;
}

/** Whether the only differences are the input's size and modification time (it was edited in place). */
export function onlyEdited(m: Manifest, input: InputIdentity, options: JobOptions): boolean {
  return differences(m, { ...input, size: m.input.size, mtime_ms: m.input.mtime_ms }, options).length === 0;
}

/** SHA-256 of the first `bytes` bytes of a file, streamed. */
export async function prefixSha256(file: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  if (bytes > 0) {
    for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** The listed parts whose files are still there whole, up to the first that is not. */
export function intactParts(dir: string, parts: PartRecord[]): PartRecord[] {
  const out: PartRecord[] = [];
  for (const p of parts) {
    const file = path.join(dir, p.file);
    if (p.part !== out.length || !existsSync(file) || statSync(file).size !== p.bytes) break;
    out.push(p);
  }
  return out;
}
