// What every input reader yields: rows in file order, numbered from 0.

export interface InputRow {
  /** Position in the input, from 0: the same in every shard and every run. */
  row: number;
  id: string;
  text: string;
  /** Bytes of the input up to the end of this row, where the reader knows it (CSV). */
  endByte?: number;
}

export interface ColumnChoice {
  /** The id column; undefined: "id" when the input has one, else ids are row numbers. */
  idColumn?: string;
  textColumn: string;
}

export interface ReadOptions {
  /** Rows to parse and yield; others are skipped as cheaply as the format allows. */
  want: (row: number) => boolean;
  /** No row before this one is wanted (a resumed shard): formats that can seek start here. */
  startRow: number;
}

export interface RowReader {
  /** Column names found in the input, for error messages. */
  readonly columns: readonly string[];
  /** Rows in the input when known without reading it all (Parquet), else null. */
  readonly totalRows: number | null;
  rows(opts: ReadOptions): AsyncIterable<InputRow>;
  /** How far through the input reading has got, 0..1. */
  fraction(): number;
}
