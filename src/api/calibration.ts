// Calibration for vector_type int8/uint8: each dimension's minimum and maximum
// over a set of texts, for dense vectors and (separately) ColBERT rows. Made
// once for the loaded weights and cached beside them in one JSON file, keyed
// by the model file's identity and the set's digest, written atomically; under
// the system's temporary folder where the weights folder cannot be written.
// The Predictor embeds the texts; this file reads, checks and writes the rest.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../engine/weights/atomic-file.ts';
import type { Ranges } from './vector-types.ts';

export const CALIBRATION_FILE = 'bge-m3-calibration.json';

/** What GET /calibration serves and a quantizing answer names by `hash`. */
export interface CalibrationRanges {
  /** First 8 hex digits of `key`. */
  hash: string;
  set: { name: string; texts: number; sha256: string };
  dense: Ranges;
  colbert: Ranges;
}

interface CacheFile extends CalibrationRanges {
  /** sha256 of the model identity and the set's digest. */
  key: string;
  model: string;
}

/** The model file's identity: its resolved path, size, mtime and the precision it runs at. */
export function modelIdentity(modelPath: string, precision: string): string {
  const st = statSync(modelPath);
  return JSON.stringify({ path: path.resolve(modelPath), bytes: st.size, mtimeMs: st.mtimeMs, precision });
}

export function setDigest(texts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(texts)).digest('hex');
}

export function calibrationKey(model: string, setSha256: string): string {
  return createHash('sha256').update(model).update('\0').update(setSha256).digest('hex');
}

/** Where the cache goes: beside the model, or (read-only weights) under the temporary folder. */
export function cachePaths(weightsDir: string): string[] {
  const key = createHash('sha256').update(path.resolve(weightsDir)).digest('hex').slice(0, 16);
  return [path.join(weightsDir, CALIBRATION_FILE), path.join(os.tmpdir(), 'bge-m3-calibration', key, CALIBRATION_FILE)];
}

/** The cached calibration for this model, if one is there (whatever its set), newest place first. */
export function readCached(weightsDir: string, model: string, key?: string): CalibrationRanges | undefined {
  for (const file of cachePaths(weightsDir)) {
    let c: CacheFile;
    try {
      c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    } catch {
      continue;
    }
    if (c.model === model && (key === undefined || c.key === key)) return publicPart(c);
  }
  return undefined;
}

/** Writes the cache beside the weights, or where they are read-only under the temporary folder; returns the file. */
export function writeCache(weightsDir: string, model: string, key: string, ranges: CalibrationRanges): string {
  const data = Buffer.from(`${JSON.stringify({ ...ranges, key, model } satisfies CacheFile)}\n`);
  const [beside, temp] = cachePaths(weightsDir);
  try {
    writeFileAtomic(beside, data);
    return beside;
  } catch (err) {
    if (!['EACCES', 'EROFS', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    mkdirSync(path.dirname(temp), { recursive: true });
    writeFileAtomic(temp, data);
    return temp;
  }
}

/** Per-dimension min and max, folded one vector at a time. */
export class RangeAccumulator {
  readonly min: Float32Array;
  readonly max: Float32Array;
  count = 0;

  constructor(readonly dim: number) {
    this.min = new Float32Array(dim).fill(Infinity);
    this.max = new Float32Array(dim).fill(-Infinity);
  }

  /** Adds every `dim`-wide row of `flat`. */
  add(flat: Float32Array): void {
    for (let r = 0; r + this.dim <= flat.length; r += this.dim, this.count++) {
      for (let i = 0; i < this.dim; i++) {
        const x = flat[r + i];
        if (x < this.min[i]) this.min[i] = x;
        if (x > this.max[i]) this.max[i] = x;
      }
    }
  }

  ranges(): Ranges {
    if (this.count === 0) throw new Error('a calibration set needs at least one text');
    return { min: Array.from(this.min), max: Array.from(this.max) };
  }
}

function publicPart(c: CacheFile): CalibrationRanges {
  return { hash: c.hash, set: c.set, dense: c.dense, colbert: c.colbert };
}

/** Texts of a calibration file: one per line, or JSONL whose lines are objects with a `text` field. */
export function parseCalibrationTexts(content: string, source: string): string[] {
  const lines = content.split(/\r?\n/).filter((l) => l.trim() !== '');
  const jsonl = lines.length > 0 && lines.every((l) => l.trimStart().startsWith('{'));
  const texts = jsonl
    ? lines.map((l, i) => {
        const v = JSON.parse(l) as { text?: unknown };
        if (typeof v.text !== 'string') throw new Error(`${source} line ${i + 1}: a JSONL calibration line needs a string "text" field`);
        return v.text;
      })
    : lines;
  if (texts.length === 0) throw new Error(`${source} holds no texts to calibrate with`);
  return texts;
}
