// Turning one input record into an InputRow, with errors that name the row,
// the column and the columns that were there.
import { CorpusError } from '../errors.ts';
import type { ColumnChoice, InputRow } from './types.ts';

export const DEFAULT_ID_COLUMN = 'id';

/**
 * Decides once per input which column holds ids: the one asked for (it must
 * exist), else "id" when present, else none (ids are row numbers).
 */
export function idColumnOf(choice: ColumnChoice, columns: readonly string[], where: string): string | null {
  if (choice.idColumn !== undefined) {
    if (!columns.includes(choice.idColumn)) throw missingColumn('id', choice.idColumn, columns, where);
    return choice.idColumn;
  }
  return columns.includes(DEFAULT_ID_COLUMN) ? DEFAULT_ID_COLUMN : null;
}

export function requireTextColumn(choice: ColumnChoice, columns: readonly string[], where: string): void {
  if (!columns.includes(choice.textColumn)) throw missingColumn('text', choice.textColumn, columns, where);
}

export function missingColumn(kind: 'id' | 'text', name: string, columns: readonly string[], where: string): CorpusError {
  const flag = kind === 'id' ? '--id-column' : '--text-column';
  const found = columns.length ? columns.map((c) => JSON.stringify(c)).join(', ') : 'none';
  return new CorpusError(`${where} has no ${kind} column "${name}" (columns found: ${found}); choose one with ${flag}`);
}

/** Builds the row from a record's values; `where` names the row for errors (e.g. "line 12"). */
export function toRow(row: number, idValue: unknown, textValue: unknown, idColumn: string | null, textColumn: string, where: string): InputRow {
  if (typeof textValue !== 'string') {
    throw new CorpusError(`${where}: column "${textColumn}" must hold text, got ${describe(textValue)}`);
  }
  if (idColumn === null) return { row, id: String(row), text: textValue };
  if (typeof idValue === 'string' || typeof idValue === 'number' || typeof idValue === 'bigint') {
    return { row, id: String(idValue), text: textValue };
  }
  throw new CorpusError(`${where}: column "${idColumn}" must hold a string or a number, got ${describe(idValue)}`);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the column is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
