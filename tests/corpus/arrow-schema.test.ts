// The ARROW:schema entry the Parquet writer puts in each part, decoded by
// apache-arrow's own IPC message reader (not the encoder under test), and a
// part read back by parquet-wasm (arrow-rs), which restores the vector types
// from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Message, MessageHeader, type Schema, tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { arrowSchemaMetadata, type ArrowField } from '../../src/corpus/writers/arrow-schema.ts';
import { parquetPart } from '../../src/corpus/writers/parquet-part.ts';
import type { EmbeddedRow } from '../../src/corpus/embedded-row.ts';

const f = (name: string, type: ArrowField['type'], nullable = false): ArrowField => ({ name, nullable, type });

function decode(base64: string): Schema {
  const bytes = Buffer.from(base64, 'base64');
  assert.equal(bytes.readUInt32LE(0), 0xffffffff, 'an encapsulated IPC message starts with the continuation marker');
  assert.equal(bytes.readInt32LE(4), bytes.length - 8, "then the flatbuffer's length");
  assert.equal((bytes.length - 8) % 8, 0, 'padded to 8 bytes');
  const message = Message.decode(bytes.subarray(8));
  assert.equal(message.headerType, MessageHeader.Schema);
  return message.header() as Schema;
}

test("every field, type, nullability and fixed size survives apache-arrow's decoder", () => {
  const float = f('element', { kind: 'float32' });
  const schema = decode(
    arrowSchemaMetadata([
      f('id', { kind: 'utf8' }),
      f('n', { kind: 'int32' }, true),
      f('flag', { kind: 'bool' }),
      f('vec', { kind: 'fixedSizeList', size: 1024, item: float }),
      f('ids', { kind: 'list', item: f('element', { kind: 'int32' }) }),
      f('multi', { kind: 'list', item: f('item', { kind: 'fixedSizeList', size: 7, item: float }) }),
      f('ünïcödé 名前', { kind: 'float32' }),
      f('i8', { kind: 'fixedSizeList', size: 3, item: f('element', { kind: 'int8' }) }),
      f('u8', { kind: 'uint8' }, true),
      f('half', { kind: 'list', item: f('element', { kind: 'fixedSizeList', size: 1024, item: f('element', { kind: 'float16' }) }) }),
      f('bits', { kind: 'fixedSizeBinary', size: 128 }),
    ]),
  );
  assert.deepEqual(
    schema.fields.map((x) => [x.name, String(x.type), x.nullable]),
    [
      ['id', 'Utf8', false],
      ['n', 'Int32', true],
      ['flag', 'Bool', false],
      ['vec', 'FixedSizeList[1024]<Float32>', false],
      ['ids', 'List<Int32>', false],
      ['multi', 'List<FixedSizeList[7]<Float32>>', false],
      ['ünïcödé 名前', 'Float32', false],
      ['i8', 'FixedSizeList[3]<Int8>', false],
      ['u8', 'Uint8', true],
      ['half', 'List<FixedSizeList[1024]<Float16>>', false],
      ['bits', 'FixedSizeBinary[128]', false],
    ],
  );
  assert.equal(schema.fields[5].type.children[0].name, 'item');
});

function rows(n: number, dim: number): EmbeddedRow[] {
  return Array.from({ length: n }, (_, i) => ({
    row: i * 3,
    id: `r${i}`,
    tokenCount: 2 + i,
    truncated: i % 2 === 1,
    dense: Array.from({ length: dim }, (_, k) => Math.fround((i + 1) / (k + 2))),
    sparseIndices: [i, i + 10],
    sparseValues: [0.5, Math.fround(0.1 * i)],
    colbert: Array.from({ length: 1 + i }, (_, t) => Array.from({ length: dim }, (_, k) => Math.fround(t - k / 8))),
  }));
}

test('a part reads back in parquet-wasm as fixed-size vectors with the values written', () => {
  const written = rows(4, 5);
  const table = tableFromIPC(readParquet(parquetPart(written, { dense: true, sparse: true, colbert: true }, 5)).intoIPCStream());
  assert.deepEqual(
    table.schema.fields.map((x) => String(x.type)),
    ['Utf8', 'Int32', 'Bool', 'FixedSizeList[5]<Float32>', 'List<Int32>', 'List<Float32>', 'List<FixedSizeList[5]<Float32>>'],
  );
  written.forEach((r, i) => {
    assert.deepEqual(Array.from(table.getChild('dense')!.get(i)!.toArray() as Float32Array), r.dense);
    const colbert = table.getChild('colbert')!.get(i)!;
    assert.deepEqual(
      Array.from({ length: colbert.length }, (_, t) => Array.from(colbert.get(t)!.toArray() as Float32Array)),
      r.colbert,
    );
  });
});

test("a vector of another length than the model's dimension is refused before anything is written", () => {
  const bad = rows(2, 5);
  bad[1].colbert![0] = [1, 2, 3];
  assert.throws(
    () => parquetPart(bad, { dense: true, sparse: true, colbert: true }, 5),
    /row 3 \(id r1\) has a vector of 3 values where the model's dimension 5 makes 5 of this vector_type/,
  );
});
