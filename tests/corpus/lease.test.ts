// The shard lease on its own, with a hand-set clock and hand-written leases
// of other processes: refuse a live owner, take over a stale or vanished one,
// renew the heartbeat, and notice when another process took the lease over.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { CorpusError } from '../../src/corpus/errors.ts';
import { Lease, leasePath, readLease, type LeaseRecord } from '../../src/corpus/lease.ts';
import { tempDir } from '../helpers/corpus.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function other(overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  const at = new Date(T0).toISOString();
  return { pid: 4242, host: 'worker-7', started_at: at, heartbeat_at: at, token: 'someone-else', ...overrides };
}

function setup() {
  const dir = tempDir('lease');
  const file = leasePath(dir, 'shard-00000-of-00001');
  const lines: string[] = [];
  let clock = T0;
  const opts = { log: (l: string) => lines.push(l), now: () => clock, staleMs: 60_000, heartbeatMs: 3_600_000, alive: () => true };
  return { dir, file, lines, opts, tick: (ms: number) => (clock += ms) };
}

test('the lease records this process and is removed on release; a second acquire meanwhile is refused', () => {
  const { dir, file, opts } = setup();
  const lease = Lease.acquire(file, opts);
  const held = readLease(file)!;
  assert.deepEqual(
    [held.pid, held.host, held.started_at, held.heartbeat_at],
    [process.pid, hostname(), new Date(T0).toISOString(), new Date(T0).toISOString()],
  );
  assert.throws(
    () => Lease.acquire(file, opts),
    (err: Error) => err instanceof CorpusError && err.message.includes(`process ${process.pid} on ${hostname()}`),
  );
  lease.release();
  assert.equal(existsSync(file), false);
  assert.deepEqual(readdirSync(dir), [], 'no temporary file is left');
});

test('a live owner elsewhere is refused with its pid, host, start, heartbeat age and what to do', () => {
  const { file, opts, tick } = setup();
  writeFileSync(file, JSON.stringify(other()));
  tick(59_000);
  assert.throws(
    () => Lease.acquire(file, opts),
    (err: Error) => {
      assert.ok(err instanceof CorpusError);
      assert.match(err.message, /being written by process 4242 on worker-7, started 2026-12-01T10:00:00\.000Z, last heartbeat 59 s ago/);
      assert.match(err.message, /give this one another --shard, or wait for that one to finish/);
      assert.match(err.message, /taken over once its heartbeat is 60 s old .*or remove .*lease\.json yourself/);
      return true;
    },
  );
  assert.equal(readLease(file)!.token, 'someone-else', 'a refused run leaves the lease alone');
});

test('a heartbeat older than the bound is taken over, and the log says whose and why', () => {
  const { file, opts, lines, tick } = setup();
  writeFileSync(file, JSON.stringify(other()));
  tick(61_000);
  const lease = Lease.acquire(file, opts);
  assert.equal(readLease(file)!.pid, process.pid);
  assert.deepEqual(lines, [
    'Took over the lease shard-00000-of-00001.lease.json of process 4242 on worker-7 (started 2026-12-01T10:00:00.000Z): its last heartbeat was 61 s ago, over the 60 s bound',
  ]);
  lease.release();
});

test('an owner on this host that is no longer running is taken over at once', () => {
  const { file, opts, lines } = setup();
  writeFileSync(file, JSON.stringify(other({ host: hostname() })));
  const lease = Lease.acquire(file, { ...opts, alive: (pid) => pid !== 4242 });
  assert.match(lines[0], new RegExp(`process 4242 is no longer running on ${hostname()}`));
  lease.release();
});

test('renew moves the heartbeat; a lease taken over by another process makes check() stop the run and release() leave it', () => {
  const { file, opts, tick } = setup();
  const lease = Lease.acquire(file, opts);
  tick(5_000);
  lease.renew();
  assert.equal(readLease(file)!.heartbeat_at, new Date(T0 + 5_000).toISOString());
  lease.check();
  writeFileSync(file, JSON.stringify(other()));
  lease.renew();
  assert.equal(readLease(file)!.token, 'someone-else', "renew never overwrites another process's lease");
  assert.throws(() => lease.check(), /lost the lease .* to process 4242 on worker-7 .*Stopped without recording more parts/);
  lease.release();
  assert.equal(readLease(file)!.token, 'someone-else', "release leaves the new owner's lease");
});

test('an unreadable lease is left alone while young (another process may be writing it), removed once older than the bound', () => {
  const { file, opts, lines } = setup();
  writeFileSync(file, '');
  const written = statSync(file).mtimeMs;
  const young = { ...opts, now: () => written + 1_000 };
  assert.throws(() => Lease.acquire(file, young), /holds no readable lease but was written 1 s ago: another process may be starting on this shard/);
  assert.equal(readFileSync(file, 'utf8'), '', 'left as it was');
  const lease = Lease.acquire(file, { ...opts, now: () => written + 61_000 });
  assert.match(lines.at(-1)!, /Removed shard-00000-of-00001\.lease\.json, which held no readable lease and was 61 s old/);
  assert.equal(readLease(file)!.pid, process.pid);
  lease.release();
});
