// The input readers and the shard split, without a model.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { Table, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { CorpusError } from '../../src/corpus/errors.ts';
import { openReader } from '../../src/corpus/readers/open.ts';
import type { ColumnChoice, InputRow, ReadOptions } from '../../src/corpus/readers/types.ts';
import { inShard, resolveShard } from '../../src/corpus/shard.ts';
import { makeCorpus, tempDir, toCsv, toJsonl } from '../helpers/corpus.ts';

const all: ReadOptions = { want: () => true, startRow: 0 };

async function readAll(file: string, choice: ColumnChoice, opts = all): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const r of (await openReader(file, choice)).rows(opts)) out.push(r);
  return out;
}

function parquetFile(file: string, columns: Record<string, unknown[] | Int32Array>, rowGroupRows = 1 << 20): void {
  // Written by parquet-wasm (arrow-rs), read by hyparquet: two implementations.
  const ipc = tableToIPC(tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]), 'stream');
  writeFileSync(file, writeParquet(Table.fromIPCStream(ipc), new WriterPropertiesBuilder().setMaxRowGroupSize(rowGroupRows).build()));
}

describe('readers', () => {
  const dir = tempDir('readers');
  const corpus = makeCorpus(40);
  const expected = corpus.map((r, row) => ({ row, ...r }));

  it('JSONL, CSV and Parquet give the same rows, in order, quotes and newlines intact', async () => {
    writeFileSync(path.join(dir, 'c.jsonl'), toJsonl(corpus).replace('\n', '\n\n  \n')); // blank lines are not rows
    writeFileSync(path.join(dir, 'c.csv'), toCsv(corpus));
    parquetFile(path.join(dir, 'c.parquet'), { id: corpus.map((r) => r.id), text: corpus.map((r) => r.text) });
    for (const name of ['c.jsonl', 'c.csv', 'c.parquet']) {
      const rows = await readAll(path.join(dir, name), { textColumn: 'text' });
      assert.deepEqual(
        rows.map(({ row, id, text }) => ({ row, id, text })),
        expected,
        name,
      );
    }
  });

  it('JSONL and CSV rows say where they end in the file: the bytes of the rows up to them, as written', async () => {
    // Each row's bytes written on their own, so the sums are an oracle independent of the readers.
    const jsonlLines = corpus.map((r) => toJsonl([r]));
    const csvRecords = toCsv(corpus).split(/(?<=\r\n)(?=doc-)/);
    assert.equal(csvRecords.length, corpus.length + 1, 'the header and one record per row');
    for (const [name, pieces] of [
      ['c.jsonl', ['', ...jsonlLines]],
      ['c.csv', csvRecords],
    ] as const) {
      writeFileSync(path.join(dir, name), pieces.join(''));
      const ends = pieces.map((_, k) => Buffer.byteLength(pieces.slice(0, k + 1).join(''))).slice(1);
      assert.deepEqual(
        (await readAll(path.join(dir, name), { textColumn: 'text' })).map((r) => r.endByte),
        ends,
        name,
      );
    }
  });

  it('ids default to the row number when there is no id column; other columns are chosen by name', async () => {
    const file = path.join(dir, 'named.jsonl');
    writeFileSync(file, toJsonl(corpus.map((r) => ({ body: r.text, key: r.id }))));
    const generated = await readAll(file, { textColumn: 'body' });
    assert.deepEqual(
      generated.map((r) => r.id),
      corpus.map((_, i) => String(i)),
    );
    const keyed = await readAll(file, { textColumn: 'body', idColumn: 'key' });
    assert.deepEqual(
      keyed.map((r) => r.id),
      corpus.map((r) => r.id),
    );
  });

  it('numeric Parquet ids, row groups of 7 rows and a resumed start row', async () => {
    const file = path.join(dir, 'ints.parquet');
    parquetFile(file, { n: Int32Array.from(corpus.map((_, i) => 1000 + i)), text: corpus.map((r) => r.text) }, 7);
    assert.deepEqual(
      await readAll(file, { textColumn: 'text', idColumn: 'n' }),
      corpus.map((r, row) => ({ row, id: String(1000 + row), text: r.text })),
    );
    const rows = await readAll(file, { textColumn: 'text', idColumn: 'n' }, { want: (r) => r >= 25, startRow: 25 });
    assert.deepEqual(
      rows.map((r) => [r.row, r.id]),
      corpus.slice(25).map((_, k) => [25 + k, String(1025 + k)]),
    );
  });

  it('a missing column is named with the columns found', async () => {
    const file = path.join(dir, 'c.csv');
    await assert.rejects(openReader(file, { textColumn: 'body' }), (err: Error) => {
      assert.ok(err instanceof CorpusError);
      assert.match(err.message, /has no text column "body" \(columns found: "id", "text"\); choose one with --text-column/);
      return true;
    });
    await assert.rejects(
      openReader(path.join(dir, 'c.parquet'), { textColumn: 'text', idColumn: 'uid' }),
      /no id column "uid" \(columns found: "id", "text"\)/,
    );
  });

  it('a bad row is named by file and line: invalid JSON, a non-text value, CSV records with missing fields or an unclosed quote', async () => {
    const badJson = path.join(dir, 'bad.jsonl');
    writeFileSync(badJson, '{"text":"a"}\n{"text": nope}\n');
    await assert.rejects(readAll(badJson, { textColumn: 'text' }), /bad\.jsonl line 2: not valid JSON .*Each line must hold one whole JSON object/);
    const nullText = path.join(dir, 'null.jsonl');
    writeFileSync(nullText, '{"text":"a"}\n{"text":null}\n');
    await assert.rejects(readAll(nullText, { textColumn: 'text' }), /line 2: column "text" must hold text, got null/);
    const short = path.join(dir, 'short.csv');
    writeFileSync(short, 'id,text\n1,a\n2\n');
    await assert.rejects(
      readAll(short, { textColumn: 'text' }),
      /short\.csv line 3: record 2 has 1 fields where the header has 2\. Put a field that holds commas/,
    );
    const multiline = path.join(dir, 'multiline.csv');
    writeFileSync(multiline, 'id,text\n1,"two\nlines"\n2,b,extra\n');
    await assert.rejects(
      readAll(multiline, { textColumn: 'text' }),
      /multiline\.csv line 4: record 2 has 3 fields/,
      'lines count the line break inside a quoted field',
    );
    const unclosed = path.join(dir, 'unclosed.csv');
    writeFileSync(unclosed, 'id,text\n1,a\n2,"never closed\n3,c\n');
    await assert.rejects(
      readAll(unclosed, { textColumn: 'text' }),
      /unclosed\.csv line 3: a quoted field in the record starting here is not closed where it should be .*Add the closing double quote/,
    );
    const strayQuote = path.join(dir, 'stray.csv');
    writeFileSync(strayQuote, 'id,text\n1,a\n2,b"c\n');
    await assert.rejects(
      readAll(strayQuote, { textColumn: 'text' }),
      /stray\.csv line 3: not valid CSV in the record starting here: .*write each quote inside as two/,
    );
    const notParquet = path.join(dir, 'fake.parquet');
    writeFileSync(notParquet, 'id,text\n');
    await assert.rejects(openReader(notParquet, { textColumn: 'text' }), /is not a readable Parquet file/);
  });
});

describe('shards', () => {
  it('N shards take every row exactly once', () => {
    for (const count of [1, 2, 3, 7]) {
      const seen = new Array(100).fill(0);
      for (let index = 0; index < count; index++) for (let row = 0; row < 100; row++) if (inShard(row, { index, count })) seen[row]++;
      assert.ok(
        seen.every((n) => n === 1),
        `${count} shards`,
      );
    }
  });

  it('--shard wins; else JOB_COMPLETION_INDEX with --shards or BGE_M3_SHARDS; else 0/1', () => {
    assert.deepEqual(resolveShard('2/5', undefined, {}), { index: 2, count: 5 });
    assert.deepEqual(resolveShard(undefined, '4', { JOB_COMPLETION_INDEX: '3' }), { index: 3, count: 4 });
    assert.deepEqual(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1', BGE_M3_SHARDS: '2' }), { index: 1, count: 2 });
    assert.deepEqual(resolveShard(undefined, undefined, {}), { index: 0, count: 1 });
  });

  it('bad shard specs say what is wrong', () => {
    assert.throws(() => resolveShard('3/3', undefined, {}), /index must be below the count \(0 to 2\)/);
    assert.throws(() => resolveShard('1-3', undefined, {}), /--shard must be INDEX\/COUNT/);
    assert.throws(() => resolveShard('0/0', undefined, {}), /count must be at least 1/);
    assert.throws(() => resolveShard('1/3', '4', {}), /says 3 shards but --shards says 4/);
    assert.throws(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1' }), /shard count is unknown/);
  });
});
