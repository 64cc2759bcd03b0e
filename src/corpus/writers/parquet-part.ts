// A part as Parquet (hyparquet-writer): id, token_count, truncated, then the
// outputs asked for. Parquet has no fixed-size list type: dense is a LIST of
// FLOAT holding exactly `dim` values in every row and ColBERT a LIST of such
// lists; the footer's `ARROW:schema` entry says they are
// FixedSizeList<float32, dim>, as Arrow writers record it, so pyarrow, polars
// and LanceDB read vector columns (DuckDB ignores the entry: cast to FLOAT[dim]).
// With --vector-type the vectors take that type's column (vector-columns.ts).
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { arrowSchemaMetadata, type ArrowField, type ArrowType } from './arrow-schema.ts';
import type { EmbeddedRow, Outputs } from '../embedded-row.ts';
import { vectorColumn, type SchemaElement, type VectorColumn } from './vector-columns.ts';

export function parquetPart(rows: EmbeddedRow[], outputs: Outputs, dim: number): Uint8Array {
  const writer = new ByteWriter();
  const part = new ParquetPartWriter(writer, outputs, dim);
  part.write(rows);
  part.finish();
  return new Uint8Array(writer.getBuffer());
}

/** Where a streamed part's bytes go: appended as each row group is done. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

/**
 * A part written a row group at a time (each write() one row group), so only one group's rows
 * and hyparquet-writer's copies of them are in memory, however many a part holds; the footer,
 * with the ARROW:schema entry, at finish().
 */
export class ParquetPartWriter {
  private readonly writer: ParquetWriter;
  private readonly columns: (rows: EmbeddedRow[]) => { name: string; data: unknown[] }[];
  private readonly width: number;

  constructor(
    out: ByteWriter | ByteSink,
    outputs: Outputs,
    private readonly dim: number,
  ) {
    const layout = partLayout(outputs, dim);
    this.columns = layout.columns;
    this.width = layout.width;
    const writer = out instanceof ByteWriter ? out : sinkWriter(out);
    this.writer = new ParquetWriter({
      writer,
      schema: [{ name: 'schema', num_children: layout.topLevel }, ...layout.schema],
      // Random-looking floats do not compress; the ids and lists of ints do a little.
      codec: 'SNAPPY',
      statistics: false,
      kvMetadata: [
        { key: 'ARROW:schema', value: arrowSchemaMetadata(layout.arrow) },
        { key: 'bge_m3.dense_dim', value: String(dim) },
        { key: 'bge_m3.vector_type', value: outputs.vectorType ?? 'float32' },
      ],
      createdBy: 'bge-m3-cog corpus job (hyparquet-writer)',
    });
  }

  /** `rows` as one row group. */
  write(rows: EmbeddedRow[]): void {
    if (!rows.length) return;
    checkWidths(rows, this.width, this.dim);
    void this.writer.write({ columnData: this.columns(rows) as Parameters<ParquetWriter['write']>[0]['columnData'], rowGroupSize: rows.length });
  }

  finish(): void {
    void this.writer.finish();
  }
}

/** A ByteWriter that hands its bytes to `sink` after each row group and at the end, then reuses its buffer. */
function sinkWriter(sink: ByteSink): ByteWriter {
  const writer = new ByteWriter();
  const flush = () => {
    sink.write(new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
  };
  return Object.assign(writer, { flush, finish: flush });
}

/** The part's Parquet and Arrow schemas, and its columns for given rows. */
function partLayout(outputs: Outputs, dim: number) {
  const type = outputs.vectorType ?? 'float32';
  const vec = vectorColumn(type, dim);
  const arrow: ArrowField[] = [field('id', { kind: 'utf8' }), field('token_count', { kind: 'int32' }), field('truncated', { kind: 'bool' })];
  const schema: SchemaElement[] = [
    { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'token_count', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'truncated', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  ];
  const columns: [string, (rows: EmbeddedRow[]) => unknown[]][] = [
    ['id', (rows) => rows.map((r) => r.id)],
    ['token_count', (rows) => rows.map((r) => r.tokenCount)],
    ['truncated', (rows) => rows.map((r) => r.truncated)],
  ];
  if (outputs.chunk) {
    // One row per chunk: its document's id above, its position and span (code points) here.
    for (const [name, of] of [
      ['chunk_index', 'index'],
      ['chunk_start', 'start'],
      ['chunk_end', 'end'],
    ] as const) {
      schema.push({ name, type: 'INT32', repetition_type: 'REQUIRED' });
      arrow.push(field(name, { kind: 'int32' }));
      columns.push([name, (rows) => rows.map((r) => r.chunk![of])]);
    }
  }
  if (outputs.dense) {
    schema.push(...vec.parquet('dense'));
    arrow.push(field('dense', vec.arrow));
    columns.push(['dense', (rows) => rows.map((r) => vec.cell(r.dense!))]);
  }
  if (outputs.sparse) {
    schema.push(...list('sparse_indices', 'INT32'), ...list('sparse_values', 'FLOAT'));
    arrow.push(field('sparse_indices', { kind: 'list', item: field('element', { kind: 'int32' }) }));
    arrow.push(field('sparse_values', { kind: 'list', item: field('element', { kind: 'float32' }) }));
    columns.push(['sparse_indices', (rows) => rows.map((r) => r.sparseIndices!)]);
    columns.push(['sparse_values', (rows) => rows.map((r) => r.sparseValues!)]);
  }
  if (outputs.colbert) {
    schema.push(...listOf('colbert', vec));
    arrow.push(field('colbert', { kind: 'list', item: field('element', vec.arrow) }));
    columns.push(['colbert', (rows) => rows.map((r) => r.colbert!.map((v) => vec.cell(v)))]);
  }
  return {
    schema,
    arrow,
    width: vec.width,
    topLevel: columns.length,
    columns: (rows: EmbeddedRow[]) => columns.map(([name, data]) => ({ name, data: data(rows) })),
  };
}

/** A fixed-size list of another length would make a file Arrow readers reject: stop before writing it. */
function checkWidths(rows: EmbeddedRow[], width: number, dim: number): void {
  for (const r of rows) {
    const bad = r.dense && r.dense.length !== width ? r.dense.length : r.colbert?.find((v) => v.length !== width)?.length;
    if (bad !== undefined) {
      throw new Error(`row ${r.row} (id ${r.id}) has a vector of ${bad} values where the model's dimension ${dim} makes ${width} of this vector_type`);
    }
  }
}

/** Every column and list element is REQUIRED in the Parquet schema, so not nullable in Arrow's. */
function field(name: string, type: ArrowType): ArrowField {
  return { name, nullable: false, type };
}

/** The standard three-level LIST: name (LIST) > list (repeated) > element. */
function list(name: string, type: 'FLOAT' | 'INT32'): SchemaElement[] {
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type, repetition_type: 'REQUIRED' },
  ];
}

/** A LIST whose elements are vectors. */
function listOf(name: string, vec: VectorColumn): SchemaElement[] {
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...vec.parquet('element'),
  ];
}
