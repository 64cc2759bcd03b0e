// How one vector of each vector_type is stored in a Parquet part, and the
// Arrow type its ARROW:schema entry gives it. Parquet has no fixed-size list
// (parquet-part.ts): the numeric types are a LIST of exactly `dim` elements of
// FLOAT, FLOAT16 (FIXED_LEN_BYTE_ARRAY(2)), INT_8 or UINT_8, which Arrow reads
// as FixedSizeList<float32|float16|int8|uint8, dim>. The packed sign bits
// (binary, ubinary) are one FIXED_LEN_BYTE_ARRAY(dim / 8), Arrow's
// FixedSizeBinary: the bytes /predictions sends in base64, which is what bit
// vector columns (pgvector's bit, LanceDB's and DuckDB's blobs, Qdrant's and
// Milvus's binary vectors) take whole, and it needs no list level per vector.
import type { parquetWrite } from 'hyparquet-writer';
import type { VectorType } from '../../api/vector-types.ts';
import type { ArrowField, ArrowType } from './arrow-schema.ts';

export type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]['schema']>[number];
type Leaf = Omit<SchemaElement, 'name' | 'repetition_type'>;

export interface VectorColumn {
  /** Values per vector in the row (/predictions' JSON numbers): dim, or dim / 8 bytes for binary/ubinary. */
  width: number;
  /** The Arrow type of one vector. */
  arrow: ArrowType;
  /** One vector as Parquet schema elements named `name`: a LIST of leaves, or one fixed-length leaf. */
  parquet(name: string): SchemaElement[];
  /** One vector's JSON numbers as the column's writer takes them. */
  cell(values: number[]): unknown;
}

const element = (type: ArrowType): ArrowField => ({ name: 'element', nullable: false, type });

export function vectorColumn(type: VectorType, dim: number): VectorColumn {
  if (type === 'binary' || type === 'ubinary') {
    const size = Math.ceil(dim / 8);
    return {
      width: size,
      arrow: { kind: 'fixedSizeBinary', size },
      parquet: (name) => [{ name, type: 'FIXED_LEN_BYTE_ARRAY', type_length: size, repetition_type: 'REQUIRED' }],
      // binary's values are the bytes as int8 (byte - 128), stored as their two's complement, as base64 sends them.
      cell: (values) => Uint8Array.from(values, (v) => v & 0xff),
    };
  }
  const leaf = LEAVES[type];
  return {
    width: dim,
    arrow: { kind: 'fixedSizeList', size: dim, item: element({ kind: type }) },
    parquet: (name) => [
      { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', ...leaf, repetition_type: 'REQUIRED' },
    ],
    cell: (values) => values,
  };
}

const LEAVES: Record<'float32' | 'float16' | 'int8' | 'uint8', Leaf> = {
  float32: { type: 'FLOAT' },
  float16: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2, logical_type: { type: 'FLOAT16' } },
  int8: { type: 'INT32', converted_type: 'INT_8' },
  uint8: { type: 'INT32', converted_type: 'UINT_8' },
};
