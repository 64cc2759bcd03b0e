// Parquet, read with hyparquet a row group at a time (a slice of at most
// SLICE_ROWS rows of a larger group): memory holds one slice of the id and
// text columns, never the file. hyparquet decodes a row group's pages from its
// start for any slice of it, so slices are large and follow the groups. The
// row count comes from the footer, so a resumed shard starts at its first
// missing row.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { CorpusError } from '../errors.ts';
import { idColumnOf, requireTextColumn, toRow } from './row-values.ts';
import type { ColumnChoice, InputRow, ReadOptions, RowReader } from './types.ts';

const SLICE_ROWS = 131_072;

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
      for (const [start, end] of slices(metadata, opts.startRow)) {
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

/** [start, end) row ranges: each row group, cut into SLICE_ROWS pieces, from the one holding `from`. */
function* slices(metadata: FileMetaData, from: number): Generator<[number, number]> {
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    for (let start = groupStart; start < groupEnd; start += SLICE_ROWS) {
      const end = Math.min(groupEnd, start + SLICE_ROWS);
      if (end > from) yield [start, end];
    }
    groupStart = groupEnd;
  }
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
