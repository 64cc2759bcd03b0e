// Two real `cli.ts embed` processes given the same shard: while the first
// holds the lease (stopped with SIGSTOP right after its first part, so it is
// certainly still running), the second refuses, naming the owner, and changes
// nothing; the first then finishes whole. A lease left by a process that died
// elsewhere long ago is taken over, and the log says so.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readLease } from '../../src/corpus/lease.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { makeCorpus, readParquetParts, runCli, startCli, tempDir, toJsonl } from '../helpers/corpus.ts';

const SHARD = 'shard-00000-of-00001';

test('a second process on a shard being written refuses, names the owner, and touches nothing', async () => {
  const weights = await officialWeights();
  const dir = tempDir('lease-cli');
  const input = path.join(dir, 'corpus.jsonl');
  // Many parts after the first, so the first run is far from done when its first part is seen.
  const corpus = makeCorpus(240, 3, 20);
  writeFileSync(input, toJsonl(corpus));
  const out = path.join(dir, 'out');
  const args = ['embed', '--input', input, '--output', out, '--part-rows', '10', '--weights', weights];

  let stopped!: () => void;
  const firstStopped = new Promise<void>((resolve) => (stopped = resolve));
  let paused = false;
  const first = startCli(args, (stderr, child) => {
    if (!paused && stderr.includes(`wrote ${SHARD}.part-000000.parquet`)) {
      paused = child.kill('SIGSTOP');
      stopped();
    }
  });
  try {
    await Promise.race([firstStopped, first.done.then((r) => assert.fail(`the first run ended before its first part was seen: ${r.stderr}`))]);
    const leaseFile = path.join(out, `${SHARD}.lease.json`);
    const lease = readLease(leaseFile);
    assert.ok(lease, 'the first process holds the lease');
    assert.deepEqual([lease.pid, lease.host], [first.child.pid, hostname()]);
    const before = new Map(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), 'utf8')]));

    const second = await runCli(args);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`being written by process ${first.child.pid} on ${hostname()}, started ${lease.started_at.replace(/\./g, '\\.')}`));
    assert.match(second.stderr, /give this one another --shard, or wait for that one to finish/);
    assert.doesNotMatch(second.stderr, /Loading|\n\s+at /, 'refused before loading the model, without a stack trace');
    const after = new Map(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f), 'utf8')]));
    assert.deepEqual(after, before, 'the refused run changed no file');
  } finally {
    first.child.kill('SIGCONT');
  }
  const done = await first.done;
  assert.equal(done.code, 0, done.stderr);
  const manifest = JSON.parse(readFileSync(path.join(out, `${SHARD}.manifest.json`), 'utf8'));
  assert.equal(manifest.complete, true);
  assert.deepEqual(
    readParquetParts(out).flatMap((p) => p.rows.map((r) => r.id)),
    corpus.map((r) => r.id),
    'the first run wrote every row once',
  );
  assert.equal(existsSync(path.join(out, `${SHARD}.lease.json`)), false, 'a finished run releases its lease');
});

test('a lease whose heartbeat went stale is taken over, and the log names the old owner', async () => {
  const weights = await officialWeights();
  const dir = tempDir('lease-stale');
  const input = path.join(dir, 'corpus.jsonl');
  writeFileSync(input, toJsonl(makeCorpus(12, 4, 10)));
  const out = path.join(dir, 'out');
  mkdirSync(out);
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  writeFileSync(
    path.join(out, `${SHARD}.lease.json`),
    JSON.stringify({ pid: 77, host: 'node-that-died', started_at: hourAgo, heartbeat_at: hourAgo, token: 'old' }),
  );
  const r = await runCli(['embed', '--input', input, '--output', out, '--weights', weights]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `Took over the lease ${SHARD}\\.lease\\.json of process 77 on node-that-died \\(started ${hourAgo.replace(/\./g, '\\.')}\\): its last heartbeat was (\\d+) s ago, over the 300 s bound`,
    ),
  );
  assert.ok(Number(/heartbeat was (\d+) s ago/.exec(r.stderr)![1]) >= 3600, "the age counts from the lease's heartbeat");
  assert.equal(readParquetParts(out)[0].rows.length, 12);
  assert.equal(existsSync(path.join(out, `${SHARD}.lease.json`)), false);
});
