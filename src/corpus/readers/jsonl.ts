// JSON Lines: one JSON object per line; blank lines are skipped and not
// counted, so row n is the n-th object in the file.
import { statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { isBlank, readLines } from './lines.ts';
import { idColumnOf, requireTextColumn, toRow } from './row-values.ts';
import type { ColumnChoice, InputRow, ReadOptions, RowReader } from './types.ts';

export async function openJsonl(path: string, choice: ColumnChoice): Promise<RowReader> {
  const size = statSync(path).size;
  const first = await firstObject(path);
  const columns = first ? Object.keys(first.value) : [];
  const where = first ? `${path} (first row, line ${first.line})` : `${path} (no rows)`;
  const idColumn = first ? idColumnOf(choice, columns, where) : null;
  if (first) requireTextColumn(choice, columns, where);
  let bytes = 0;
  return {
    columns,
    totalRows: null,
    fraction: () => (size ? bytes / size : 1),
    async *rows(opts: ReadOptions): AsyncGenerator<InputRow> {
      let row = -1;
      for await (const line of readLines(path, (b) => (bytes = b))) {
        if (isBlank(line.buffer)) continue;
        row++;
        if (!opts.want(row)) continue;
        const value = parseObject(line.buffer, line.number, path);
        yield { ...toRow(row, value[idColumn ?? ''], value[choice.textColumn], idColumn, choice.textColumn, `${path} line ${line.number}`), endByte: line.end };
      }
    },
  };
}

async function firstObject(path: string): Promise<{ value: Record<string, unknown>; line: number } | null> {
  for await (const line of readLines(path)) {
    if (!isBlank(line.buffer)) return { value: parseObject(line.buffer, line.number, path), line: line.number };
  }
  return null;
}

function parseObject(buffer: Buffer, line: number, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch (err) {
    throw new InputError(path, line, `not valid JSON (${(err as Error).message}). Each line must hold one whole JSON object.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(path, line, 'must be a JSON object with the id and text fields');
  }
  return value as Record<string, unknown>;
}
