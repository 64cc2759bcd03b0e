// How the Parquet library was chosen:  npx tsx bench/parquet-libraries.ts [--rows N] [--dense-rows N]
// Reads 100k rows (id, text) and writes 100k rows (id, token_count,
// truncated, sparse lists), 10k rows of 1024-float dense vectors and 500 rows
// of 64 ColBERT vectors, the vectors typed as Arrow fixed-size lists, with
// each candidate: hyparquet + hyparquet-writer (the choice; its dense and
// ColBERT writes are the corpus job's own parquetPart, ARROW:schema
// included), parquet-wasm + apache-arrow (the tests' independent reader), and
// @duckdb/node-api (a dev dependency for the store tests: 70 MB; it writes
// FLOAT[1024] as a plain list). Prints a table; BENCHMARKS.md quotes it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { openParquet } from '../src/corpus/readers/parquet.ts';
import { parquetPart } from '../src/corpus/writers/parquet-part.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { BENCH_CACHE } from './model-cache.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, 'dense-rows': { type: 'string' } } });
const ROWS = Number(values.rows ?? 100_000);
const DENSE_ROWS = Number(values['dense-rows'] ?? 10_000);
const DIM = 1024;
const COLBERT_ROWS = 500;
const COLBERT_TOKENS = 64;
const dir = path.join(BENCH_CACHE, 'parquet-libraries');

interface Data {
  ids: string[];
  texts: string[];
  counts: number[];
  truncated: boolean[];
  sparseIdx: number[][];
  sparseVal: number[][];
  dense: Float32Array[];
}

function makeData(): Data {
  const random = seededRandom(42);
  const words = ['vector', 'Привет', '数据', 'embedding', 'search', 'naïve', 'token', 'shard'];
  const ids = Array.from({ length: ROWS }, (_, i) => `doc-${i}`);
  const texts = ids.map(() => Array.from({ length: 10 + Math.floor(random() * 40) }, () => words[Math.floor(random() * words.length)]).join(' '));
  const sparseIdx = ids.map(() => Array.from({ length: 20 }, (_, k) => k * 97 + Math.floor(random() * 90)));
  return {
    ids,
    texts,
    counts: texts.map((t) => t.length >> 2),
    truncated: ids.map(() => random() < 0.1),
    sparseIdx,
    sparseVal: sparseIdx.map((l) => l.map(() => Math.fround(random()))),
    dense: Array.from({ length: DENSE_ROWS }, () => Float32Array.from({ length: DIM }, () => random() * 2 - 1)),
  };
}

const list = (name: string, type: 'FLOAT' | 'INT32') => [
  { name, repetition_type: 'REQUIRED' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', type, repetition_type: 'REQUIRED' as const },
];

interface Candidate {
  name: string;
  packages: string[];
  readText(file: string): Promise<number>;
  writeRows(d: Data, file: string): Promise<void>;
  writeDense(d: Data, file: string): Promise<void>;
  writeColbert(d: Data, file: string): Promise<void>;
}

/** Row i's ColBERT vectors: the dense vectors from row i on, COLBERT_TOKENS of them. */
const colbertOf = (d: Data, i: number) => Array.from({ length: COLBERT_TOKENS }, (_, t) => d.dense[(i + t) % DENSE_ROWS]);

const hyparquet: Candidate = {
  name: 'hyparquet + hyparquet-writer',
  packages: ['hyparquet', 'hyparquet-writer'],
  async readText(file) {
    // The corpus job's own reader (a row group at a time).
    let n = 0;
    for await (const row of (await openParquet(file, { textColumn: 'text' })).rows({ want: () => true, startRow: 0 })) if (row.id) n++;
    return n;
  },
  async writeRows(d, file) {
    const w = new ByteWriter();
    parquetWrite({
      writer: w,
      statistics: false,
      rowGroupSize: ROWS,
      columnData: [
        { name: 'id', data: d.ids },
        { name: 'text', data: d.texts },
        { name: 'token_count', data: d.counts },
        { name: 'truncated', data: d.truncated },
        { name: 'sparse_indices', data: d.sparseIdx },
        { name: 'sparse_values', data: d.sparseVal },
      ],
      schema: [
        { name: 'schema', num_children: 6 },
        { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'token_count', type: 'INT32', repetition_type: 'REQUIRED' },
        { name: 'truncated', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
        ...list('sparse_indices', 'INT32'),
        ...list('sparse_values', 'FLOAT'),
      ],
    });
    writeFileSync(file, new Uint8Array(w.getBuffer()));
  },
  async writeDense(d, file) {
    const rows = d.dense.map((v, i) => ({ row: i, id: d.ids[i], tokenCount: d.counts[i], truncated: d.truncated[i], dense: Array.from(v) }));
    writeFileSync(file, parquetPart(rows, { dense: true, sparse: false, colbert: false }, DIM));
  },
  async writeColbert(d, file) {
    const rows = Array.from({ length: COLBERT_ROWS }, (_, i) => ({
      row: i,
      id: d.ids[i],
      tokenCount: d.counts[i],
      truncated: d.truncated[i],
      colbert: colbertOf(d, i).map((v) => Array.from(v)),
    }));
    writeFileSync(file, parquetPart(rows, { dense: false, sparse: false, colbert: true }, DIM));
  },
};

async function parquetWasm(): Promise<Candidate> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const toFile = (table: arrow.Table<any>, file: string) => writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
  const listOf = (child: arrow.Float32 | arrow.Int32, values: ArrayLike<number>[], ctor: Float32ArrayConstructor | Int32ArrayConstructor) => {
    const offsets = new Int32Array(values.length + 1);
    values.forEach((v, i) => (offsets[i + 1] = offsets[i] + v.length));
    const flat = new ctor(offsets[values.length]);
    values.forEach((v, i) => flat.set(v, offsets[i]));
    const type = new arrow.List(new arrow.Field('element', child, false));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const childData = arrow.makeData({ type: child, length: flat.length, data: flat } as any);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return arrow.makeVector(arrow.makeData({ type, length: values.length, valueOffsets: offsets, child: childData } as any));
  };
  const fixedSize = (vectors: Float32Array[]) => {
    const flat = new Float32Array(vectors.length * DIM);
    vectors.forEach((v, i) => flat.set(v, i * DIM));
    const type = new arrow.FixedSizeList(DIM, new arrow.Field('element', new arrow.Float32(), false));
    return arrow.makeVector(
      arrow.makeData({ type, length: vectors.length, child: arrow.makeData({ type: new arrow.Float32(), length: flat.length, data: flat }) }),
    );
  };
  return {
    name: 'parquet-wasm + apache-arrow',
    packages: ['parquet-wasm', 'apache-arrow', 'flatbuffers', 'json-with-bigint', 'tslib'],
    async readText(file) {
      const table = arrow.tableFromIPC(pw.readParquet(readFileSync(file)).intoIPCStream());
      const ids = table.getChild('id')!;
      const texts = table.getChild('text')!;
      let n = 0;
      for (let i = 0; i < table.numRows; i++) if (typeof ids.get(i) === 'string' && typeof texts.get(i) === 'string') n++;
      return n;
    },
    async writeRows(d, file) {
      toFile(
        new arrow.Table({
          id: arrow.vectorFromArray(d.ids, new arrow.Utf8()),
          text: arrow.vectorFromArray(d.texts, new arrow.Utf8()),
          token_count: arrow.makeVector(Int32Array.from(d.counts)),
          truncated: arrow.vectorFromArray(d.truncated, new arrow.Bool()),
          sparse_indices: listOf(new arrow.Int32(), d.sparseIdx, Int32Array),
          sparse_values: listOf(new arrow.Float32(), d.sparseVal, Float32Array),
        }),
        file,
      );
    },
    async writeDense(d, file) {
      toFile(new arrow.Table({ id: arrow.vectorFromArray(d.ids.slice(0, DENSE_ROWS), new arrow.Utf8()), dense: fixedSize(d.dense) }), file);
    },
    async writeColbert(d, file) {
      const vectors = Array.from({ length: COLBERT_ROWS }, (_, i) => colbertOf(d, i)).flat();
      const item = new arrow.FixedSizeList(DIM, new arrow.Field('element', new arrow.Float32(), false));
      const offsets = Int32Array.from({ length: COLBERT_ROWS + 1 }, (_, i) => i * COLBERT_TOKENS);
      const type = new arrow.List(new arrow.Field('element', item, false));
      const colbert = arrow.makeVector(arrow.makeData({ type, length: COLBERT_ROWS, valueOffsets: offsets, child: fixedSize(vectors).data[0] }));
      toFile(new arrow.Table({ id: arrow.vectorFromArray(d.ids.slice(0, COLBERT_ROWS), new arrow.Utf8()), colbert }), file);
    },
  };
}

async function duckdb(): Promise<Candidate | null> {
  const name = '@duckdb/node-api';
  // Not a dependency, so untyped here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let api: any;
  try {
    api = await import(name as string);
  } catch {
    return null;
  }
  const connect = async () => (await api.DuckDBInstance.create(':memory:')).connect();
  return {
    name: '@duckdb/node-api',
    packages: ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64'],
    async readText(file) {
      const c = await connect();
      const reader = await c.runAndReadAll(`select id, text from read_parquet('${file}')`);
      return reader.getRows().length;
    },
    async writeRows(d, file) {
      const c = await connect();
      await c.run('create table t (id varchar, text varchar, token_count integer, truncated boolean, sparse_indices integer[], sparse_values float[])');
      const a = await c.createAppender('t');
      for (let i = 0; i < ROWS; i++) {
        a.appendVarchar(d.ids[i]);
        a.appendVarchar(d.texts[i]);
        a.appendInteger(d.counts[i]);
        a.appendBoolean(d.truncated[i]);
        a.appendList(api.listValue(d.sparseIdx[i]), api.LIST(api.INTEGER));
        a.appendList(api.listValue(d.sparseVal[i]), api.LIST(api.FLOAT));
        a.endRow();
      }
      a.closeSync();
      await c.run(`copy t to '${file}' (format parquet)`);
    },
    async writeDense(d, file) {
      const c = await connect();
      await c.run(`create table t (id varchar, dense float[${DIM}])`);
      const a = await c.createAppender('t');
      for (let i = 0; i < DENSE_ROWS; i++) {
        a.appendVarchar(d.ids[i]);
        a.appendArray(api.arrayValue(Array.from(d.dense[i])), api.ARRAY(api.FLOAT, DIM));
        a.endRow();
      }
      a.closeSync();
      await c.run(`copy t to '${file}' (format parquet)`);
    },
    async writeColbert(d, file) {
      const c = await connect();
      await c.run(`create table t (id varchar, colbert float[${DIM}][])`);
      const a = await c.createAppender('t');
      for (let i = 0; i < COLBERT_ROWS; i++) {
        a.appendVarchar(d.ids[i]);
        a.appendList(api.listValue(colbertOf(d, i).map((v) => api.arrayValue(Array.from(v)))), api.LIST(api.ARRAY(api.FLOAT, DIM)));
        a.endRow();
      }
      a.closeSync();
      await c.run(`copy t to '${file}' (format parquet)`);
    },
  };
}

function installMiB(packages: string[]): number {
  let kib = 0;
  for (const p of packages) {
    try {
      kib += Number(/^(\d+)/.exec(execFileSync('du', ['-sk', path.join('node_modules', p)], { encoding: 'utf8' }))![1]);
    } catch {
      /* not installed */
    }
  }
  return kib / 1024;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const data = makeData();
  const input = path.join(dir, 'input.parquet');
  await hyparquet.writeRows(data, input);
  console.log(
    `${ROWS} rows to read (${(statSync(input).size / 2 ** 20).toFixed(1)} MiB); writes: ${ROWS} rows of id, text, token_count, truncated and 20-entry sparse lists; ${DENSE_ROWS} rows of ${DIM} float32`,
  );
  const candidates = [hyparquet, await parquetWasm(), await duckdb()].filter((c): c is Candidate => c !== null);
  console.log(
    `| library | read ${ROWS} id+text | write ${ROWS} rows + sparse | write ${DENSE_ROWS} dense | write ${COLBERT_ROWS} × ${COLBERT_TOKENS} ColBERT | install |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const c of candidates) {
    const read = await time(async () => {
      if ((await c.readText(input)) !== ROWS) throw new Error(`${c.name} read the wrong row count`);
    });
    const rows = await time(() => c.writeRows(data, path.join(dir, 'rows.parquet')));
    const dense = await time(() => c.writeDense(data, path.join(dir, 'dense.parquet')));
    const colbert = await time(() => c.writeColbert(data, path.join(dir, 'colbert.parquet')));
    console.log(
      `| ${c.name} | ${read.toFixed(2)} s | ${rows.toFixed(2)} s | ${dense.toFixed(2)} s | ${colbert.toFixed(2)} s | ${installMiB(c.packages).toFixed(1)} MiB |`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
