// Runs numpy-quantize.py (Debian's python3-numpy) as a child process, JSON in
// and out: the vector_type tests' independent oracle.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./numpy-quantize.py', import.meta.url));

export const numpyMissing = spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0;

function run<T>(request: unknown): T {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Rows `vectors` in `type`: their values and the base64 of their bytes, row after row. */
export function numpyQuantize(type: string, vectors: number[][], ranges?: { min: number[]; max: number[] }): { values: number[][]; base64: string } {
  return run({ type, vectors, ranges });
}

/** Per-column min and max of `vectors`, in float32 as numpy computes them. */
export function numpyRanges(vectors: number[][]): { min: number[]; max: number[] } {
  return run({ op: 'ranges', vectors });
}

const SCORES = fileURLToPath(new URL('./numpy-scores.py', import.meta.url));

export interface QuantizedText {
  dense: number[];
  colbert: number[][];
}

/** The dense and ColBERT scores of the query against each text, from their vector_type values decoded as score_compact defines. */
export function numpyCompactScores(request: {
  type: string;
  dim: number;
  ranges?: { dense: { min: number[]; max: number[] }; colbert: { min: number[]; max: number[] } };
  query: QuantizedText;
  texts: QuantizedText[];
}): { dense: number[]; colbert: number[] } {
  const r = spawnSync(PYTHON, [SCORES], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { dense: number[]; colbert: number[] };
}
