// A part as Parquet (hyparquet-writer): id, token_count, truncated, then the
// outputs asked for. Parquet has no fixed-size list type: dense is a LIST of
// FLOAT holding exactly `dim` values in every row (the footer's key-value
// metadata says so), which DuckDB, Arrow and pandas read as a float32 list.
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { EmbeddedRow, Outputs } from '../embedded-row.ts';

type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]['schema']>[number];

export function parquetPart(rows: EmbeddedRow[], outputs: Outputs, dim: number): Uint8Array {
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
  if (outputs.dense) {
    schema.push(...list('dense', 'FLOAT'));
    columnData.push({ name: 'dense', data: rows.map((r) => r.dense!) });
  }
  if (outputs.sparse) {
    schema.push(...list('sparse_indices', 'INT32'), ...list('sparse_values', 'FLOAT'));
    columnData.push({ name: 'sparse_indices', data: rows.map((r) => r.sparseIndices!) });
    columnData.push({ name: 'sparse_values', data: rows.map((r) => r.sparseValues!) });
  }
  if (outputs.colbert) {
    schema.push(...listOfLists('colbert', 'FLOAT'));
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
    kvMetadata: [{ key: 'bge_m3.dense_dim', value: String(dim) }],
    createdBy: 'bge-m3-cog corpus job (hyparquet-writer)',
  });
  return new Uint8Array(writer.getBuffer());
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
