// CSV (RFC 4180: quoted fields may hold commas, quotes and newlines) with a
// header row naming the columns; row n is the n-th record after the header.
// A malformed record or a read error ends the rows with an InputError naming
// the file, the line and the fix.
import { createReadStream, statSync } from 'node:fs';
import { CsvError, parse, type InfoRecord } from 'csv-parse';
import { CorpusError, InputError } from '../errors.ts';
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
      let row = -1;
      let lastLine = 1;
      try {
        for await (const { record, info } of csvRecords(path, (n) => (bytes += n))) {
          row++;
          const line = lastLine + 1;
          lastLine = info.lines;
          if (!opts.want(row)) continue;
          if (record.length !== header.length) {
            throw new InputError(
              path,
              line,
              `record ${row + 1} has ${record.length} fields where the header has ${header.length}. ` +
                'Put a field that holds commas or line breaks in double quotes ("a, b"), or give the row as many fields as the header.',
            );
          }
          yield { ...toRow(row, record[idAt], record[textAt], idColumn, choice.textColumn, `${path} line ${line}`), endByte: info.bytes };
        }
      } catch (err) {
        throw asInputError(err, path, lastLine);
      }
    },
  };
}

interface ParsedRecord {
  record: string[];
  info: InfoRecord;
}

/** Queued records above this pause reading; below LOW_RECORDS it resumes. */
const HIGH_RECORDS = 4096;
const LOW_RECORDS = 1024;

/**
 * The records after the header, then the error that ended them, if any. The
 * parser hands each record over as it parses it (on_record), so the records
 * before a malformed one or a read error all come out before the error does:
 * a stream iterator would drop those still buffered when the error arrives.
 */
async function* csvRecords(path: string, onBytes: (n: number) => void): AsyncGenerator<ParsedRecord> {
  const queue: ParsedRecord[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = parse({
    bom: true,
    from_line: 2,
    relax_column_count: true,
    on_record: (record: string[], info: InfoRecord) => {
      queue.push({ record, info: { ...info } });
      if (queue.length >= HIGH_RECORDS) input.pause();
      notify();
      return null;
    },
  });
  parser.on('error', (error) => {
    failure ??= { error };
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  parser.resume();
  input.on('error', (error) => {
    failure ??= { error };
    notify();
  });
  input.on('data', (chunk) => {
    onBytes(chunk.length);
    parser.write(chunk);
  });
  input.on('end', () => parser.end());
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        if (queue.length < LOW_RECORDS && input.isPaused() && !failure) input.resume();
        yield next;
      } else if (failure) {
        throw failure.error;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}

async function readHeader(path: string): Promise<string[]> {
  const input = createReadStream(path);
  try {
    for await (const record of input.pipe(parse({ bom: true, to_line: 1 })) as AsyncIterable<string[]>) return record;
  } catch (err) {
    throw asInputError(err, path, 0);
  } finally {
    input.destroy();
  }
  throw new CorpusError(`${path} is empty: a CSV input needs a header row naming its columns`);
}

/** `lastLine`: the line the last whole record ended on; what went wrong starts after it. */
function asInputError(err: unknown, path: string, lastLine: number): Error {
  if (err instanceof CorpusError) return err;
  const next = lastLine + 1;
  if (err instanceof CsvError) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_INVALID_CLOSING_QUOTE') {
      return new InputError(
        path,
        next,
        `a quoted field in the record starting here is not closed where it should be (${err.message}). ` +
          'Add the closing double quote, and write a double quote inside a quoted field as two ("").',
      );
    }
    return new InputError(
      path,
      next,
      `not valid CSV in the record starting here: ${err.message}. ` +
        'Put fields holding quotes in double quotes and write each quote inside as two ("say ""hi""").',
    );
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code) {
    return new InputError(
      path,
      next,
      `reading failed after line ${lastLine} (${(err as Error).message}). ` +
        'The file system reported an error: check the disk or mount, or copy the file somewhere readable.',
    );
  }
  return err as Error;
}
