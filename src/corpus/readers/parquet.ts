// Parquet, read a slice of rows at a time with hyparquet: memory holds one
// slice (and the pages it touches), never the file. The row count comes from
// the footer, so a resumed shard starts at its first missing row.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { CorpusError } from '../errors.ts';
import { idColumnOf, requireTextColumn, toRow } from './row-values.ts';
import type { ColumnChoice, InputRow, ReadOptions, RowReader } from './types.ts';

const SLICE_ROWS = 1024;

export async function openParquet(path: string, choice: ColumnChoice): Promise<RowReader> {
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new CorpusError(`${path} is not a readable Parquet file (${(err as Error).message})`);
  }
  const columns = topLevelColumns(metadata);
  const idColumn = idColumnOf(choice, columns, path);
  requireTextColumn(choice, columns, path);
  const total = Number(metadata.num_rows);
  let done = 0;
  return {
    columns,
    totalRows: total,
    fraction: () => (total ? done / total : 1),
    async *rows(opts: ReadOptions): AsyncGenerator<InputRow> {
      const wanted = idColumn === null ? [choice.textColumn] : [idColumn, choice.textColumn];
      for (let start = opts.startRow - (opts.startRow % SLICE_ROWS); start < total; start += SLICE_ROWS) {
        const end = Math.min(total, start + SLICE_ROWS);
        const records = await parquetReadObjects({ file, metadata, columns: wanted, rowStart: start, rowEnd: end });
        for (let k = 0; k < records.length; k++) {
          const row = start + k;
          if (!opts.want(row)) continue;
          const r = records[k];
          yield toRow(row, idColumn === null ? undefined : r[idColumn], r[choice.textColumn], idColumn, choice.textColumn, `row ${row}`);
        }
        done = end;
      }
    },
  };
}

function topLevelColumns(metadata: FileMetaData): string[] {
  const [root, ...rest] = metadata.schema;
  const names: string[] = [];
  let i = 0;
  for (let child = 0; child < (root.num_children ?? 0); child++) {
    names.push(rest[i].name);
    i = skipSubtree(rest, i);
  }
  return names;
}

/** Index just past the schema element at i and all its descendants (the schema is a flattened tree). */
function skipSubtree(schema: FileMetaData['schema'], i: number): number {
  let next = i + 1;
  for (let c = 0; c < (schema[i].num_children ?? 0); c++) next = skipSubtree(schema, next);
  return next;
}
