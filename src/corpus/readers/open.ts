// Picks the reader from the input's extension.
import { accessSync, constants, statSync } from 'node:fs';
import { CorpusError } from '../errors.ts';
import { openCsv } from './csv.ts';
import { openJsonl } from './jsonl.ts';
import { openParquet } from './parquet.ts';
import type { ColumnChoice, RowReader } from './types.ts';

export type InputFormat = 'jsonl' | 'csv' | 'parquet';

const EXTENSIONS: Record<string, InputFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.parquet': 'parquet' };

export function inputFormatOf(path: string): InputFormat {
  const ext = Object.keys(EXTENSIONS).find((e) => path.toLowerCase().endsWith(e));
  if (!ext) throw new CorpusError(`cannot tell the format of ${path}: name it .jsonl (or .ndjson), .csv or .parquet`);
  return EXTENSIONS[ext];
}

export function checkReadable(path: string): { size: number; mtimeMs: number } {
  let stat;
  try {
    stat = statSync(path);
    accessSync(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CorpusError(`cannot read the input ${path}: ${why}`);
  }
  if (!stat.isFile()) throw new CorpusError(`the input ${path} is not a file`);
  return { size: stat.size, mtimeMs: stat.mtimeMs };
}

export function openReader(path: string, choice: ColumnChoice): Promise<RowReader> {
  const format = inputFormatOf(path);
  if (format === 'jsonl') return openJsonl(path, choice);
  if (format === 'csv') return openCsv(path, choice);
  return openParquet(path, choice);
}
