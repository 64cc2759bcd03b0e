// CSV (RFC 4180: quoted fields may hold commas, quotes and newlines) with a
// header row naming the columns; row n is the n-th record after the header.
import { createReadStream, statSync } from 'node:fs';
import { parse, type Parser } from 'csv-parse';
import { CorpusError } from '../errors.ts';
import { idColumnOf, requireTextColumn, toRow } from './row-values.ts';
import type { ColumnChoice, InputRow, ReadOptions, RowReader } from './types.ts';

export async function openCsv(path: string, choice: ColumnChoice): Promise<RowReader> {
  const size = statSync(path).size;
  const header = await readHeader(path);
  const where = `${path} (header)`;
  const idColumn = idColumnOf(choice, header, where);
  requireTextColumn(choice, header, where);
  const idAt = idColumn === null ? -1 : header.indexOf(idColumn);
  const textAt = header.indexOf(choice.textColumn);
  let bytes = 0;
  return {
    columns: header,
    totalRows: null,
    fraction: () => (size ? bytes / size : 1),
    async *rows(opts: ReadOptions): AsyncGenerator<InputRow> {
      const input = createReadStream(path, { highWaterMark: 1 << 20 });
      input.on('data', (chunk) => (bytes += chunk.length));
      const records = input.pipe(csvParser(1));
      let row = -1;
      try {
        for await (const record of records as AsyncIterable<string[]>) {
          row++;
          if (!opts.want(row)) continue;
          const where = `record ${row + 1} (after the header)`;
          if (record.length !== header.length) {
            throw new CorpusError(`${where} has ${record.length} fields, the header ${header.length}`);
          }
          yield toRow(row, record[idAt], record[textAt], idColumn, choice.textColumn, where);
        }
      } catch (err) {
        throw asCorpusError(err);
      } finally {
        input.destroy();
      }
    },
  };
}

function csvParser(fromLine: number): Parser {
  return parse({ bom: true, from_line: fromLine + 1, relax_column_count: true });
}

async function readHeader(path: string): Promise<string[]> {
  const input = createReadStream(path);
  try {
    for await (const record of input.pipe(parse({ bom: true, to_line: 1 })) as AsyncIterable<string[]>) return record;
  } catch (err) {
    throw asCorpusError(err);
  } finally {
    input.destroy();
  }
  throw new CorpusError(`${path} is empty: a CSV input needs a header row naming its columns`);
}

function asCorpusError(err: unknown): Error {
  if (err instanceof CorpusError) return err;
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) return new CorpusError(`not valid CSV: ${(err as Error).message}`);
  return err as Error;
}
