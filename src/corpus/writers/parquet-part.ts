// A part as Parquet (hyparquet-writer): id, token_count, truncated, then the
// outputs asked for. Parquet has no fixed-size list type: dense is a LIST of
// FLOAT holding exactly `dim` values in every row and ColBERT a LIST of such
// lists; the footer's `ARROW:schema` entry says they are
// FixedSizeList<float32, dim>, as Arrow writers record it, so pyarrow, polars
// and LanceDB read vector columns (DuckDB ignores the entry: cast to FLOAT[dim]).
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { arrowSchemaMetadata, type ArrowField, type ArrowType } from './arrow-schema.ts';
import type { EmbeddedRow, Outputs } from '../embedded-row.ts';

type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]['schema']>[number];

export function parquetPart(rows: EmbeddedRow[], outputs: Outputs, dim: number): Uint8Array {
  checkWidths(rows, dim);
  const arrow: ArrowField[] = [field('id', { kind: 'utf8' }), field('token_count', { kind: 'int32' }), field('truncated', { kind: 'bool' })];
  const schema: SchemaElement[] = [
    { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'token_count', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'truncated', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  ];
  const columnData: { name: string; data: unknown[] }[] = [
    { name: 'id', data: rows.map((r) => r.id) },
    { name: 'token_count', data: rows.map((r) => r.tokenCount) },
    { name: 'truncated', data: rows.map((r) => r.truncated) },
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
      columnData.push({ name, data: rows.map((r) => r.chunk![of]) });
    }
  }
  if (outputs.dense) {
    schema.push(...list('dense', 'FLOAT'));
    arrow.push(field('dense', vector(dim)));
    columnData.push({ name: 'dense', data: rows.map((r) => r.dense!) });
  }
  if (outputs.sparse) {
    schema.push(...list('sparse_indices', 'INT32'), ...list('sparse_values', 'FLOAT'));
    arrow.push(field('sparse_indices', { kind: 'list', item: field('element', { kind: 'int32' }) }));
    arrow.push(field('sparse_values', { kind: 'list', item: field('element', { kind: 'float32' }) }));
    columnData.push({ name: 'sparse_indices', data: rows.map((r) => r.sparseIndices!) });
    columnData.push({ name: 'sparse_values', data: rows.map((r) => r.sparseValues!) });
  }
  if (outputs.colbert) {
    schema.push(...listOfLists('colbert', 'FLOAT'));
    arrow.push(field('colbert', { kind: 'list', item: field('element', vector(dim)) }));
    columnData.push({ name: 'colbert', data: rows.map((r) => r.colbert!) });
  }
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: columnData as Parameters<typeof parquetWrite>[0]['columnData'],
    schema: [{ name: 'schema', num_children: columnData.length }, ...schema],
    // Random-looking floats do not compress; the ids and lists of ints do a little.
    codec: 'SNAPPY',
    statistics: false,
    rowGroupSize: rows.length || 1,
    kvMetadata: [
      { key: 'ARROW:schema', value: arrowSchemaMetadata(arrow) },
      { key: 'bge_m3.dense_dim', value: String(dim) },
    ],
    createdBy: 'bge-m3-cog corpus job (hyparquet-writer)',
  });
  return new Uint8Array(writer.getBuffer());
}

/** A fixed-size list of another length would make a file Arrow readers reject: stop before writing it. */
function checkWidths(rows: EmbeddedRow[], dim: number): void {
  for (const r of rows) {
    const bad = r.dense && r.dense.length !== dim ? r.dense.length : r.colbert?.find((v) => v.length !== dim)?.length;
    if (bad !== undefined) throw new Error(`row ${r.row} (id ${r.id}) has a vector of ${bad} values where the model's dimension is ${dim}`);
  }
}

/** Every column and list element is REQUIRED in the Parquet schema, so not nullable in Arrow's. */
function field(name: string, type: ArrowType): ArrowField {
  return { name, nullable: false, type };
}

function vector(dim: number): ArrowType {
  return { kind: 'fixedSizeList', size: dim, item: field('element', { kind: 'float32' }) };
}

/** The standard three-level LIST: name (LIST) > list (repeated) > element. */
function list(name: string, type: 'FLOAT' | 'INT32'): SchemaElement[] {
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type, repetition_type: 'REQUIRED' },
  ];
}

function listOfLists(name: string, type: 'FLOAT'): SchemaElement[] {
  return [
    { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    ...list('element', type),
  ];
}
