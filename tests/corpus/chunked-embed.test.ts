// `cli.ts embed --chunk-tokens N --chunk-overlap M` (issue #19): one row per chunk with its
// document's id, chunk_index and span, every guarantee of the unchunked job kept. Oracles: one
// uninterrupted single-process run of the real CLI, and /predictions (the Predictor) on each
// document with the same chunk_tokens.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { parseEmbedArgs } from '../../src/corpus/args.ts';
import { CorpusError } from '../../src/corpus/errors.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { makeCorpus, maxDiff, readJsonlParts, readParquetParts, runCli, startCli, tempDir, toJsonl, type PartRow } from '../helpers/corpus.ts';

/** Float rounding between batches of different shapes; see embed-cli.test.ts. */
const TOLERANCE = 1e-5;
const DOCS = 90;
const CHUNKING = ['--chunk-tokens', '12', '--chunk-overlap', '3'];

type ChunkRow = PartRow & { chunk_index: number; chunk_start: number; chunk_end: number };
const key = (r: ChunkRow) => `${r.id}#${r.chunk_index}`;

/**
 * A shard of the real CLI killed mid-run and rerun gives the rows of one uninterrupted run, each
 * (document, chunk) once, whole documents per part; the rows are /predictions' chunks (`chunking`:
 * its fields for the same flags) of each document.
 */
async function killedShardEqualsOneRun(label: string, flags: string[], chunking: Record<string, unknown>): Promise<void> {
  const weights = await officialWeights();
  const dir = tempDir(label);
  const input = path.join(dir, 'corpus.jsonl');
  const corpus = makeCorpus(DOCS, 31, 80);
  writeFileSync(input, toJsonl(corpus));
  const common = ['--input', input, '--part-rows', '10', '--max-length', '64', '--weights', weights, ...flags];
  const single = runCli(['embed', ...common, '--output', path.join(dir, 'single')]);

  const out = path.join(dir, 'sharded');
  let killed = false;
  const shards = [0, 1].map((i) =>
    startCli(
      ['embed', ...common, '--output', out, '--shard', `${i}/2`],
      i !== 0
        ? undefined
        : (stderr, child) => {
            if (!killed && stderr.includes('wrote shard-00000-of-00002.part-000001.parquet')) killed = child.kill('SIGKILL');
          },
    ),
  );
  const [r0, r1] = await Promise.all(shards.map((s) => s.done));
  assert.ok(killed, `shard 0 was killed (${r0.stderr})`);
  assert.equal(r1.code, 0, r1.stderr);
  const manifestFile = path.join(out, 'shard-00000-of-00002.manifest.json');
  assert.equal(JSON.parse(readFileSync(manifestFile, 'utf8')).complete, false);
  const rerun = await runCli(['embed', ...common, '--output', out, '--shard', '0/2']);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /complete part\(s\) found/);

  const reference = await single;
  assert.equal(reference.code, 0, reference.stderr);
  const want = readParquetParts(path.join(dir, 'single')).flatMap((p) => p.rows) as ChunkRow[];
  const parts = readParquetParts(out);
  assert.ok(parts[0].columns.includes('chunk_index') && parts[0].columns.includes('chunk_start') && parts[0].columns.includes('chunk_end'));
  const got = new Map<string, ChunkRow>();
  for (const part of parts) {
    const rows = part.rows as ChunkRow[];
    for (const row of rows) {
      assert.equal(got.has(key(row)), false, `${key(row)} appears twice`);
      got.set(key(row), row);
    }
    // A document's chunks are never split between parts: each document in a part starts at chunk 0 and its chunks are consecutive.
    for (let i = 0; i < rows.length; i++) {
      const previous = rows[i - 1];
      if (previous?.id === rows[i].id) assert.equal(rows[i].chunk_index, previous.chunk_index + 1, part.file);
      else assert.equal(rows[i].chunk_index, 0, `${part.file}: ${rows[i].id} starts with chunk 0`);
    }
  }
  assert.equal(got.size, want.length, 'the same number of chunk rows');
  for (const w of want) {
    const g = got.get(key(w));
    assert.ok(g, `${key(w)} is missing`);
    assert.deepEqual([g.chunk_start, g.chunk_end, g.token_count, g.truncated], [w.chunk_start, w.chunk_end, w.token_count, w.truncated], key(w));
    assert.ok(maxDiff(g.dense!, w.dense!) <= TOLERANCE, `${key(w)} dense`);
    assert.deepEqual(g.sparse_indices, w.sparse_indices, `${key(w)} sparse ids`);
    assert.ok(maxDiff(g.sparse_values!, w.sparse_values!) <= TOLERANCE, `${key(w)} sparse values`);
  }
  assert.ok(want.length > DOCS * 1.5, `documents are chunked (${want.length} chunk rows from ${DOCS} documents)`);

  // The rows are /predictions' chunks of each document.
  const predictor = new Predictor();
  await predictor.setup({ weights, log: () => {} });
  try {
    for (const doc of corpus.slice(0, 12)) {
      const out = await predictor.predict({ texts: [doc.text], max_length: 64, sparse_format: 'indices_values', ...chunking });
      const rows = want.filter((r) => r.id === doc.id);
      assert.deepEqual(
        rows.map((r) => [r.chunk_index, r.chunk_start, r.chunk_end, r.token_count]),
        out.chunks!.map((c) => [c.chunk_index, c.start, c.end, c.token_count]),
        doc.id,
      );
      rows.forEach((r, i) => {
        const c = out.chunks![i];
        const sparse = c.lexical_weights as { indices: number[]; values: number[] };
        assert.ok(maxDiff(r.dense!, c.dense_vec as number[]) <= TOLERANCE, `${doc.id} chunk ${i} dense`);
        assert.deepEqual(r.sparse_indices, sparse.indices, `${doc.id} chunk ${i} sparse ids`);
        assert.ok(maxDiff(r.sparse_values!, sparse.values) <= TOLERANCE, `${doc.id} chunk ${i} sparse values`);
      });
      assert.equal([...doc.text].slice(rows[0].chunk_start, rows.at(-1)!.chunk_end).join(''), doc.text, 'the spans cover the document');
    }
  } finally {
    await predictor.close();
  }
}

test('a shard killed mid-run and rerun gives the rows of one uninterrupted run, each (document, chunk) once, whole documents per part', () =>
  killedShardEqualsOneRun('chunks', CHUNKING, { chunk_tokens: 12, chunk_overlap: 3 }));

test("--chunk-context document: a killed and rerun shard gives the rows of one run, each (document, chunk) once, and they are /predictions' contextual chunks", () =>
  killedShardEqualsOneRun('contextual', [...CHUNKING, '--chunk-context', 'document'], { chunk_tokens: 12, chunk_overlap: 3, chunk_context: 'document' }));

test('a rerun with other chunking options is refused by the manifest; JSONL parts carry the chunk fields', async () => {
  const weights = await officialWeights();
  const dir = tempDir('chunks-options');
  const input = path.join(dir, 'corpus.jsonl');
  writeFileSync(input, toJsonl(makeCorpus(6, 5, 40)));
  const out = path.join(dir, 'out');
  const base = ['embed', '--input', input, '--output', out, '--weights', weights, '--format', 'jsonl', '--max-length', '64'];
  const first = await runCli([...base, ...CHUNKING]);
  assert.equal(first.code, 0, first.stderr);
  const rows = readJsonlParts(out) as ChunkRow[];
  assert.ok(rows.every((r) => Number.isInteger(r.chunk_index) && r.chunk_start <= r.chunk_end));
  for (const [other, named] of [
    [['--chunk-tokens', '10', '--chunk-overlap', '3'], /chunk_tokens was 12, now 10/],
    [['--chunk-tokens', '12'], /chunk_overlap was 3, now 0/],
    [[], /chunk_tokens was 12, now 0/],
    [[...CHUNKING, '--chunk-context', 'document'], /chunk_context was "none", now "document"/],
  ] as const) {
    const again = await runCli([...base, ...other]);
    assert.notEqual(again.code, 0, `${other.join(' ')} was accepted`);
    assert.match(again.stderr, named);
  }
  // And the other way round: contextual chunks' rows are not continued as plain ones.
  const contextual = ['embed', '--input', input, '--output', path.join(dir, 'contextual'), '--weights', weights, '--max-length', '64', ...CHUNKING];
  assert.equal((await runCli([...contextual, '--chunk-context', 'document'])).code, 0);
  const plain = await runCli([...contextual, '--chunk-context', 'none']);
  assert.equal(plain.code, 2, plain.stderr);
  assert.match(plain.stderr, /chunk_context was "document", now "none"/);
});

test('bad chunking arguments are refused up front, naming the flag', () => {
  const args = (extra: string[]) => parseEmbedArgs(['--input', 'x.jsonl', '--output', 'o', ...extra], {}, 'w');
  for (const [extra, flag] of [
    [['--chunk-tokens', '8', '--chunk-overlap', '8'], '--chunk-overlap'],
    [['--chunk-overlap', '2'], '--chunk-overlap'],
    [['--chunk-tokens', '100', '--max-length', '64'], '--chunk-tokens'],
    [['--chunk-tokens', '8', '--colbert', '--colbert-pool-factor', '2', '--max-length', '512'], '--colbert-pool-factor'],
    [['--chunk-context', 'document'], '--chunk-tokens above 0'],
    [['--chunk-tokens', '8', '--chunk-context', 'doc'], '--chunk-context'],
  ] as const) {
    assert.throws(
      () => args([...extra]),
      // /predictions' own rules, their fields named as the flags that set them.
      (err: unknown) => err instanceof CorpusError && err.message.includes(flag) && !/\b(chunk|max|colbert)_[a-z]/.test(err.message),
      extra.join(' '),
    );
  }
  const ok = args(CHUNKING);
  assert.deepEqual(ok.help ? undefined : ok.spec.chunk, { tokens: 12, overlap: 3 });
  const contextual = args([...CHUNKING, '--chunk-context', 'document']);
  assert.deepEqual(contextual.help ? undefined : contextual.spec.chunk, { tokens: 12, overlap: 3, context: 'document' });
  const none = args([...CHUNKING, '--chunk-context', 'none']);
  assert.deepEqual(none.help ? undefined : none.spec.chunk, { tokens: 12, overlap: 3 });
});

test('--chunk-context document and --dense-pooling mcls on an export without hidden states are refused before any row, naming the flag', async () => {
  const models = await ensureTestModels();
  const dir = tempDir('chunks-heads');
  const input = path.join(dir, 'corpus.jsonl');
  writeFileSync(input, toJsonl(makeCorpus(3, 5, 20)));
  for (const [flags, message] of [
    [[...CHUNKING, '--chunk-context', 'document'], /--chunk-context document averages last hidden states.*leave --chunk-context out/],
    [['--dense-pooling', 'mcls'], /--dense-pooling mcls averages last hidden states.*leave --dense-pooling out/],
  ] as const) {
    const out = path.join(dir, flags[flags.length - 1]);
    const run = await runCli(['embed', '--input', input, '--output', out, '--weights', models.dirs['heads-aapot'], ...flags]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readParquetParts(out), []);
  }
});
