// The corpus job's promise to a Kubernetes Indexed Job: 3 shard processes of
// the real CLI run at once, one is killed with SIGKILL in the middle of its
// parts and rerun, and the union of all parts is the single-process run, row
// for row, with no duplicates.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { officialWeights } from '../helpers/server/real-model.ts';
import { makeCorpus, maxDiff, readParquetParts, runCli, startCli, tempDir, toJsonl, type PartRow } from '../helpers/corpus.ts';

/** Float rounding between batches of different shapes; see embed-cli.test.ts. */
const TOLERANCE = 1e-5;
const ROWS = 300;

test('3 shards, one killed mid-run and rerun, equal one process row for row, with no duplicates', async () => {
  const weights = await officialWeights();
  const dir = tempDir('shards');
  const input = path.join(dir, 'corpus.jsonl');
  const corpus = makeCorpus(ROWS, 23);
  writeFileSync(input, toJsonl(corpus));
  const common = ['--input', input, '--part-rows', '10', '--max-length', '48', '--weights', weights];
  const out = path.join(dir, 'sharded');
  const single = runCli(['embed', ...common, '--output', path.join(dir, 'single'), '--shard', '0/1']);

  let killed = false;
  const shards = [0, 1, 2].map((i) =>
    startCli(
      ['embed', ...common, '--output', out, '--shard', `${i}/3`],
      i !== 1
        ? undefined
        : (stderr, child) => {
            // Part 1 is on disk and the rows after it are in flight: kill now.
            if (!killed && stderr.includes('wrote shard-00001-of-00003.part-000001.parquet')) {
              killed = child.kill('SIGKILL');
            }
          },
    ),
  );
  const [r0, r1, r2] = await Promise.all(shards.map((s) => s.done));
  assert.equal(r0.code, 0, r0.stderr);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(killed, `shard 1 was killed (${r1.stderr})`);
  assert.equal(r1.code, -1, 'shard 1 died by the signal');
  const manifestFile = path.join(out, 'shard-00001-of-00003.manifest.json');
  const dead = JSON.parse(readFileSync(manifestFile, 'utf8'));
  assert.equal(dead.complete, false, 'shard 1 was killed before it finished');
  assert.ok(dead.parts.length >= 2 && dead.parts.length < 10, `killed after part 1, before the last (${dead.parts.length} parts recorded)`);

  const rerun = await runCli(['embed', ...common, '--output', out, '--shard', '1/3']);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, new RegExp(`${dead.parts.length} complete part\\(s\\) found`));
  assert.match(
    rerun.stderr,
    /Took over the lease shard-00001-of-00003\.lease\.json of process \d+ .*is no longer running/,
    "the killed run's lease is taken over at once on its own host",
  );
  assert.equal(JSON.parse(readFileSync(manifestFile, 'utf8')).complete, true);
  assert.deepEqual(
    readdirSync(out).filter((f) => f.startsWith('.')),
    [],
    'no temporary file is left',
  );

  const reference = await single;
  assert.equal(reference.code, 0, reference.stderr);
  const want = readParquetParts(path.join(dir, 'single')).flatMap((p) => p.rows);
  assert.deepEqual(
    want.map((r) => r.id),
    corpus.map((r) => r.id),
  );

  const parts = readParquetParts(out);
  const union = new Map<string, PartRow>();
  for (const part of parts) {
    const shard = Number(/^shard-(\d+)/.exec(part.file)![1]);
    for (const row of part.rows) {
      assert.equal(union.has(row.id), false, `${row.id} appears twice`);
      assert.equal(Number(row.id.slice(4)) % 3, shard, `${row.id} is in shard ${shard}'s part ${part.file}`);
      union.set(row.id, row);
    }
  }
  assert.equal(union.size, ROWS, 'every row is in some part');
  for (const w of want) {
    const got = union.get(w.id)!;
    assert.deepEqual([got.token_count, got.truncated, got.sparse_indices], [w.token_count, w.truncated, w.sparse_indices], w.id);
    assert.ok(maxDiff(got.dense!, w.dense!) < TOLERANCE, `dense of ${w.id}`);
    assert.ok(maxDiff(got.sparse_values!, w.sparse_values!) < TOLERANCE, `sparse_values of ${w.id}`);
  }
});
