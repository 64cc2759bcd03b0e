// `cli.ts embed` as a user runs it: formats in and out checked against the
// server's /predictions, resume, refusal to mix outputs, --restart, errors.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { Table, writeParquet } from 'parquet-wasm';
import type { RunningServer } from '../../src/server/start.ts';
import { parseEmbedArgs } from '../../src/corpus/args.ts';
import { CorpusError } from '../../src/corpus/errors.ts';
import { call, startTestServer } from '../helpers/server/helpers.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { makeCorpus, maxDiff, readJsonlParts, readParquetParts, runCli, tempDir, toCsv, toJsonl, type CorpusRow, type PartRow } from '../helpers/corpus.ts';

/**
 * Vectors of one text differ by float rounding between batches of different
 * shapes (padding changes the matrix sizes onnxruntime multiplies); anything
 * larger is a wrong row.
 */
const TOLERANCE = 1e-5;

let server: RunningServer;
let weights: string;

before(async () => {
  weights = await officialWeights();
  server = await startTestServer({ weights });
});
after(async () => server?.close());

async function predictions(texts: string[], input: Record<string, unknown>) {
  const r = await call(server.url, 'POST', '/predictions', { input: { texts, ...input } });
  assert.equal(r.status, 200, r.text);
  return r.body.output;
}

/** Asserts the rows are the corpus in order, with /predictions' outputs for the same options. */
async function assertMatchesPredictions(rows: PartRow[], corpus: CorpusRow[], input: Record<string, unknown>, ids = corpus.map((r) => r.id)) {
  assert.deepEqual(
    rows.map((r) => r.id),
    ids,
    'every row once, in input order',
  );
  const out = await predictions(
    corpus.map((r) => r.text),
    input,
  );
  rows.forEach((row, i) => {
    assert.equal(row.token_count, out.token_counts[i], `token_count of row ${i}`);
    assert.equal(row.truncated, out.truncated[i], `truncated of row ${i}`);
    if (out.dense_vecs) assert.ok(maxDiff(row.dense!, out.dense_vecs[i]) < TOLERANCE, `dense of row ${i}`);
    else assert.equal(row.dense ?? null, null);
    if (out.lexical_weights) {
      const ids = Object.keys(out.lexical_weights[i])
        .map(Number)
        .sort((a, b) => a - b);
      assert.deepEqual(row.sparse_indices, ids, `sparse_indices of row ${i}`);
      assert.ok(
        maxDiff(
          row.sparse_values!,
          ids.map((id) => out.lexical_weights[i][id]),
        ) < TOLERANCE,
        `sparse_values of row ${i}`,
      );
    } else {
      assert.equal(row.sparse_indices ?? null, null);
    }
    if (out.colbert_vecs) {
      assert.equal(row.colbert!.length, out.colbert_vecs[i].length, `colbert rows of row ${i}`);
      row.colbert!.forEach((v, k) => assert.ok(maxDiff(v, out.colbert_vecs[i][k]) < TOLERANCE, `colbert ${k} of row ${i}`));
    }
  });
}

function assertClean(r: { code: number; stderr: string }) {
  assert.equal(r.code, 0, r.stderr);
}

describe('cli.ts embed', () => {
  const corpus = makeCorpus(120, 11);

  it("JSONL in, Parquet parts out: an independent reader finds /predictions' vectors in every row", async () => {
    const dir = tempDir('parquet');
    const input = path.join(dir, 'corpus.jsonl');
    writeFileSync(input, toJsonl(corpus));
    const r = await runCli(['embed', '--input', input, '--output', path.join(dir, 'out'), '--max-length', '40', '--part-rows', '50', '--weights', weights]);
    assertClean(r);
    assert.match(r.stderr, /shard-00000-of-00001: done\. 120 rows, \d+ tokens .* 3 part\(s\) written/);
    const parts = readParquetParts(path.join(dir, 'out'));
    assert.deepEqual(
      parts.map((p) => [p.file, p.rows.length]),
      [0, 1, 2].map((k) => [`shard-00000-of-00001.part-00000${k}.parquet`, k < 2 ? 50 : 20]),
    );
    assert.deepEqual(parts[0].columns, ['id', 'token_count', 'truncated', 'dense', 'sparse_indices', 'sparse_values']);
    const dim = (await predictions(['x'], {})).dense_vecs[0].length;
    assert.deepEqual(
      parts[0].types,
      ['Utf8', 'Int32', 'Bool', `FixedSizeList[${dim}]<Float32>`, 'List<Int32>', 'List<Float32>'],
      'dense is a vector column to Arrow readers',
    );
    const rows = parts.flatMap((p) => p.rows);
    assert.ok(rows.some((x) => x.truncated) && rows.some((x) => !x.truncated), 'the corpus has texts on both sides of max_length');
    await assertMatchesPredictions(rows, corpus, { max_length: 40 });
    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'shard-00000-of-00001.manifest.json'), 'utf8'));
    assert.equal(manifest.complete, true);
    assert.deepEqual(
      manifest.parts.map((p: { first_row: number; last_row: number; rows: number }) => [p.first_row, p.last_row, p.rows]),
      [
        [0, 49, 50],
        [50, 99, 50],
        [100, 119, 20],
      ],
    );
  });

  it('CSV in, JSONL out with ColBERT and without sparse; Parquet in without dense', async () => {
    const dir = tempDir('formats');
    const small = corpus.slice(0, 30);
    writeFileSync(path.join(dir, 'c.csv'), toCsv(small));
    const r1 = await runCli([
      'embed',
      '--input',
      path.join(dir, 'c.csv'),
      '--output',
      path.join(dir, 'a'),
      '--format',
      'jsonl',
      '--colbert',
      '--no-sparse',
      '--max-length',
      '24',
      '--weights',
      weights,
    ]);
    assertClean(r1);
    const jsonRows = readJsonlParts(path.join(dir, 'a'));
    await assertMatchesPredictions(jsonRows, small, { max_length: 24, return_colbert: true, return_sparse: false });

    const ipc = tableToIPC(tableFromArrays({ body: small.map((x) => x.text) }), 'stream');
    writeFileSync(path.join(dir, 'c.parquet'), writeParquet(Table.fromIPCStream(ipc)));
    const r2 = await runCli([
      'embed',
      '--input',
      path.join(dir, 'c.parquet'),
      '--output',
      path.join(dir, 'b'),
      '--text-column',
      'body',
      '--no-dense',
      '--weights',
      weights,
    ]);
    assertClean(r2);
    const [part] = readParquetParts(path.join(dir, 'b'));
    assert.deepEqual(part.columns, ['id', 'token_count', 'truncated', 'sparse_indices', 'sparse_values']);
    await assertMatchesPredictions(
      part.rows,
      small,
      { return_dense: false },
      small.map((_, i) => String(i)),
    );
  });

  it('--sparse-top-k, --sparse-min-weight and --colbert-pool-factor write what /predictions returns for them; a rerun with others is refused', async () => {
    const dir = tempDir('compact');
    const small = corpus.slice(0, 12);
    const input = path.join(dir, 'c.jsonl');
    writeFileSync(input, toJsonl(small));
    const out = path.join(dir, 'out');
    const args = ['embed', '--input', input, '--output', out, '--colbert', '--max-length', '40', '--weights', weights];
    const compact = ['--sparse-top-k', '3', '--sparse-min-weight', '0.01', '--colbert-pool-factor', '2'];
    assertClean(await runCli([...args, ...compact]));
    const rows = readParquetParts(out).flatMap((p) => p.rows);
    await assertMatchesPredictions(rows, small, { max_length: 40, return_colbert: true, sparse_top_k: 3, sparse_min_weight: 0.01, colbert_pool_factor: 2 });
    assert.ok(rows.every((r) => r.sparse_indices!.length <= 3 && r.colbert!.length === Math.max(Math.floor((r.token_count - 1) / 2), 1)));
    const m = JSON.parse(readFileSync(path.join(out, 'shard-00000-of-00001.manifest.json'), 'utf8'));
    assert.deepEqual([m.options.sparse_top_k, m.options.sparse_min_weight, m.options.colbert_pool_factor], [3, 0.01, 2]);

    const other = await runCli([...args, '--sparse-top-k', '3', '--sparse-min-weight', '0.01', '--colbert-pool-factor', '4']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /made from other input or options \(colbert_pool_factor was 2, now 4\).*--restart/);
    const off = await runCli(args);
    assert.equal(off.code, 2);
    assert.match(off.stderr, /sparse_top_k was 3, now null; sparse_min_weight was 0\.01, now null; colbert_pool_factor was 2, now 1/);
    assertClean(await runCli([...args, '--restart']));
    assert.ok(
      readParquetParts(out)
        .flatMap((p) => p.rows)
        .every((r) => r.colbert!.length === r.token_count - 1),
    );
  });

  it("--dense-pooling mcls writes /predictions' MCLS dense vectors; a rerun with cls is refused; bad combinations are refused up front", async () => {
    const dir = tempDir('mcls');
    const docs = makeCorpus(8, 13, 700);
    const input = path.join(dir, 'c.jsonl');
    writeFileSync(input, toJsonl(docs));
    const out = path.join(dir, 'out');
    const args = ['embed', '--input', input, '--output', out, '--part-rows', '3', '--weights', weights];
    assertClean(await runCli([...args, '--dense-pooling', 'mcls']));
    const rows = readParquetParts(out).flatMap((p) => p.rows);
    const long = rows.flatMap((r, i) => (r.token_count - 2 > 256 ? [i] : []));
    assert.ok(long.length >= 2, `${long.length} documents long enough for MCLS to insert <s>`);
    await assertMatchesPredictions(rows, docs, { max_length: 8161, dense_pooling: 'mcls' });
    const cls = await predictions(
      docs.map((d) => d.text),
      { max_length: 8161, return_sparse: false },
    );
    for (const i of long) assert.ok(maxDiff(rows[i].dense!, cls.dense_vecs[i]) > 1e-3, `row ${i} is not its CLS vector`);
    const m = JSON.parse(readFileSync(path.join(out, 'shard-00000-of-00001.manifest.json'), 'utf8'));
    assert.deepEqual([m.options.dense_pooling, m.options.max_length], ['mcls', 8161]);

    const other = await runCli([...args, '--dense-pooling', 'cls', '--max-length', '8161']);
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /made from other input or options \(dense_pooling was "mcls", now "cls"\)/);

    const parse = (extra: string[]) => () => parseEmbedArgs(['--input', input, '--output', out, ...extra], {}, weights);
    for (const [extra, message] of [
      [
        ['--dense-pooling', 'mcls', '--chunk-tokens', '8'],
        /--dense-pooling "mcls" pools one dense vector .*set --dense-pooling to "cls", or --chunk-tokens to 0/,
      ],
      [['--dense-pooling', 'mcls', '--no-dense'], /--dense-pooling mcls pools the dense vector, which --no-dense leaves out/],
      [['--dense-pooling', 'mcls', '--max-length', '8192'], /--max-length \(8192\) must be at most 8161 with --dense-pooling mcls/],
      [['--dense-pooling', 'avg'], /--dense-pooling/],
    ] as const) {
      assert.throws(parse([...extra]), (err: unknown) => err instanceof CorpusError && message.test(err.message), extra.join(' '));
    }
  });

  it('a rerun skips complete parts, redoes an unrecorded one, refuses changed options or input, and --restart starts over', async () => {
    const dir = tempDir('resume');
    const input = path.join(dir, 'corpus.jsonl');
    const out = path.join(dir, 'out');
    writeFileSync(input, toJsonl(corpus.slice(0, 100)));
    const args = ['embed', '--input', input, '--output', out, '--part-rows', '25', '--weights', weights];
    assertClean(await runCli(args));
    const file = (k: number) => path.join(out, `shard-00000-of-00001.part-00000${k}.parquet`);
    const firstRun = readParquetParts(out);
    const stamp = (k: number) => {
      const s = statSync(file(k));
      return [s.ino, s.mtimeMs];
    };

    const again = await runCli(args);
    assertClean(again);
    assert.match(again.stderr, /already complete .* \(4 parts\); nothing to do/);
    assert.doesNotMatch(again.stderr, /Loading BGE-M3/, 'a complete shard does not load the model');

    // As if killed after renaming part 2 but before recording it, with part 3's temp file half written.
    const mfile = path.join(out, 'shard-00000-of-00001.manifest.json');
    const m = JSON.parse(readFileSync(mfile, 'utf8'));
    writeFileSync(mfile, JSON.stringify({ ...m, parts: m.parts.slice(0, 2), complete: false }));
    unlinkSync(file(3));
    const temp = path.join(out, '.shard-00000-of-00001.part-000003.parquet.tmp-99999');
    writeFileSync(temp, 'PAR1 half a part');
    const kept = [stamp(0), stamp(1)];
    const resumed = await runCli(args);
    assertClean(resumed);
    assert.match(resumed.stderr, /Removed \.shard-00000-of-00001\.part-000003\.parquet\.tmp-99999/);
    assert.match(resumed.stderr, /Removed shard-00000-of-00001\.part-000002\.parquet, left unfinished/);
    assert.match(resumed.stderr, /2 complete part\(s\) found, continuing after row 49/);
    assert.deepEqual(
      [...resumed.stderr.matchAll(/wrote (\S+)/g)].map((x) => x[1]),
      [path.basename(file(2)), path.basename(file(3))],
    );
    assert.deepEqual([stamp(0), stamp(1)], kept, 'complete parts are not rewritten');
    assert.equal(existsSync(temp), false);
    assert.deepEqual(
      readParquetParts(out).map((p) => p.rows.map((x) => x.id)),
      firstRun.map((p) => p.rows.map((x) => x.id)),
    );

    const changed = await runCli([...args, '--max-length', '32']);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /made from other input or options \(max_length was 8192, now 32\).*--restart/);
    const otherPrecision = await runCli(args, { BGE_M3_PRECISION: 'int8' });
    assert.equal(otherPrecision.code, 2, 'fp32 and int8 rows never mix in one output');
    assert.match(otherPrecision.stderr, /precision was "fp32", now "int8"/);
    appendFileSync(input, toJsonl([{ id: 'late', text: 'added later' }]));
    const grown = await runCli(args);
    assert.equal(grown.code, 2);
    assert.match(grown.stderr, /input size was \d+, now \d+/);
    assert.deepEqual([stamp(0), stamp(1)], kept, 'a refused run touches nothing');

    const restarted = await runCli([...args, '--max-length', '32', '--restart']);
    assertClean(restarted);
    assert.match(restarted.stderr, /101 rows/);
    const fresh = readParquetParts(out);
    assert.equal(fresh.length, 5);
    assert.deepEqual(JSON.parse(readFileSync(mfile, 'utf8')).options.max_length, 32);
    assert.ok(fresh.flatMap((p) => p.rows).every((x) => x.token_count <= 32));
  });

  it('--precision int8 embeds with the int8 model and records the precision in the manifest', async () => {
    const dir = tempDir('int8');
    const input = path.join(dir, 'c.jsonl');
    writeFileSync(input, toJsonl(corpus.slice(0, 5)));
    const out = path.join(dir, 'out');
    const r = await runCli(['embed', '--input', input, '--output', out, '--precision', 'int8', '--weights', weights], {
      BGE_M3_INT8_CACHE: path.join(dir, 'int8-cache'),
    });
    assertClean(r);
    assert.match(r.stderr, /precision int8 \(/);
    assert.equal(JSON.parse(readFileSync(path.join(out, 'shard-00000-of-00001.manifest.json'), 'utf8')).options.precision, 'int8');
    assert.equal(readParquetParts(out)[0].rows.length, 5);
  });

  it('user errors exit 2 with one clear line, no stack trace', async () => {
    const dir = tempDir('errors');
    const input = path.join(dir, 'c.jsonl');
    writeFileSync(input, toJsonl([{ uid: 1, body: 'x' }]));
    const cases: [string[], RegExp][] = [
      [['--input', input, '--output', dir], /has no text column "text" \(columns found: "uid", "body"\); choose one with --text-column/],
      [['--input', path.join(dir, 'missing.jsonl'), '--output', dir], /cannot read the input .*missing\.jsonl: no such file/],
      [['--input', input, '--output', dir, '--shard', '3/2'], /index must be below the count \(0 to 1\)/],
      [['--input', input, '--output', dir, '--shard', 'two'], /--shard must be INDEX\/COUNT/],
      [['--input', path.join(dir, 'c.txt'), '--output', dir], /cannot tell the format of .*c\.txt/],
      [['--input', input, '--output', dir, '--max-length', '9000'], /--max-length must be an integer from 1 to 8192/],
      [['--input', input, '--output', dir, '--precision', 'int4'], /--precision must be one of fp32, int8, got "int4"/],
      [['--input', input], /--output DIR is required/],
      [['--input', input, '--output', dir, '--sparse-top-k', '0'], /--sparse-top-k must be an integer from 1 to 1000000 \(got "0"\)/],
      [['--input', input, '--output', dir, '--sparse-min-weight=-1'], /--sparse-min-weight must be a finite number at least 0 \(got "-1"\)/],
      [['--input', input, '--output', dir, '--colbert-pool-factor', '1.5'], /--colbert-pool-factor must be an integer from 1 to 1000000 \(got "1.5"\)/],
      [
        ['--input', input, '--output', dir, '--vector-type', 'int4'],
        /--vector-type must be one of float32, float16, int8, uint8, binary, ubinary \(got "int4"\)/,
      ],
      [['--input', input, '--output', dir, '--bogus'], /Unknown option '--bogus'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(['embed', ...args, '--weights', weights])));
    for (const [k, [args, message]] of cases.entries()) {
      const r = runs[k];
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
