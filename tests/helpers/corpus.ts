// Shared by the corpus job tests: a generated corpus, the CLI as a child
// process, and the parts read back with an independent Parquet reader
// (parquet-wasm: arrow-rs compiled to WebAssembly, not the hyparquet-writer
// that wrote them).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import type { Predictor } from '../../predict.ts';
import { JobStatusLine } from '../../src/cli/job-progress.ts';
import { runJob, type JobSpec, type JobSummary } from '../../src/corpus/job.ts';
import { seededRandom } from '../../tools/fixtures/tokenizer/corpus.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'Привет',
  'мир',
  '的',
  '数据',
  'embedding',
  'vector',
  'search',
  'token',
  'BM25',
  'naïve',
  'café',
  '"quoted"',
  'comma,inside',
];

export interface CorpusRow {
  id: string;
  text: string;
}

/** `n` rows of 1 to `maxWords` words from a seeded PRNG: varied lengths, some multi-line. */
export function makeCorpus(n: number, seed = 7, maxWords = 60): CorpusRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 1 + Math.floor(random() ** 2 * maxWords) }, () => WORDS[Math.floor(random() * WORDS.length)]);
    if (i % 17 === 3) words.splice(1, 0, '\n');
    return { id: `doc-${i}`, text: words.join(' ') };
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `bge-m3-corpus-${prefix}-`));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts the real CLI; `onStderr` sees the text so far after each chunk. */
export function startCli(
  args: string[],
  onStderr?: (text: string, child: ChildProcess) => void,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return startCli(args, undefined, env).done;
}

export interface PartRow {
  id: string;
  token_count: number;
  truncated: boolean;
  dense?: number[];
  sparse_indices?: number[];
  sparse_values?: number[];
  colbert?: number[][];
}

/** Every row of the Parquet files in `dir` whose names start with `prefix`, in file name order. */
export function readParquetParts(dir: string, prefix = 'shard-'): { file: string; rows: PartRow[]; columns: string[]; types: string[] }[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.parquet'))
    .sort()
    .map((file) => {
      const table = tableFromIPC(readParquet(readFileSync(path.join(dir, file))).intoIPCStream());
      const columns = table.schema.fields.map((f) => f.name);
      const types = table.schema.fields.map((f) => String(f.type));
      const rows: PartRow[] = [];
      for (let i = 0; i < table.numRows; i++) {
        const r: Record<string, unknown> = {};
        for (const name of columns) r[name] = plain(table.getChild(name)!.get(i));
        rows.push(r as unknown as PartRow);
      }
      return { file, rows, columns, types };
    });
}

/** Arrow values (typed arrays, list vectors, bigint) as plain JS; float16 as numbers (toArray gives their bits). */
function plain(v: unknown): unknown {
  if (v && typeof v === 'object' && 'type' in v && String(v.type) === 'Float16') return Array.from(v as unknown as Iterable<number>);
  if (v && typeof v === 'object' && 'toArray' in v) return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray(), plain);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function readJsonlParts(dir: string): PartRow[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('shard-') && f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as PartRow),
    );
}

/** Largest absolute difference between two equal-length vectors. */
export function maxDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export function toJsonl(rows: object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export function toCsv(rows: CorpusRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['id,text', ...rows.map((r) => `${q(r.id)},${q(r.text)}`)].join('\r\n') + '\r\n';
}

/**
 * Runs the corpus job in this process on an already set-up Predictor: one
 * shard, Parquet, fp32, no status line drawn; `spec` overrides any field.
 */
export function runJobInProcess(predictor: Predictor, spec: Pick<JobSpec, 'input' | 'output' | 'weights'> & Partial<JobSpec>): Promise<JobSummary> {
  const base: JobSpec = {
    format: 'parquet',
    textColumn: 'text',
    maxLength: 8192,
    dense: true,
    sparse: true,
    colbert: false,
    shard: { index: 0, count: 1 },
    restart: false,
    precision: 'fp32',
    partRows: 1000,
    ...spec,
  };
  const silent = Object.assign(createWriteStream('/dev/null'), { isTTY: false });
  return runJob(base, { loadPredictor: async () => predictor, progress: new JobStatusLine('test', { stream: silent }) });
}
