// One writer per shard: a lease file in the output directory names the
// process writing the shard (pid, host, start) and carries a heartbeat the
// owner renews. Another process given the same shard refuses while the lease
// is live; a lease whose heartbeat is older than the stale bound (or whose
// owner on this host is gone) is taken over, and the log says so. The owner
// checks the lease is still its own before recording each part.
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../engine/weights/atomic-file.ts';
import { CorpusError } from './errors.ts';

/** How often the owner renews its heartbeat. */
export const HEARTBEAT_MS = 15_000;
/**
 * A heartbeat older than this is a dead owner's. Generous: a part's Parquet
 * write blocks the event loop (tens of seconds for a full ColBERT part on a
 * loaded machine), and a live owner must never look dead.
 */
export const DEFAULT_STALE_MS = 300_000;

export interface LeaseRecord {
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: string;
  /** Tells this lease from a later one of the same pid and host. */
  token: string;
}

export interface LeaseOptions {
  staleMs?: number;
  heartbeatMs?: number;
  log: (line: string) => void;
  now?: () => number;
  /** Whether a process of this host still runs; replaced in tests. */
  alive?: (pid: number) => boolean;
}

export function leasePath(dir: string, shardName: string): string {
  return path.join(dir, `${shardName}.lease.json`);
}

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private lost: LeaseRecord | null | undefined;

  private constructor(
    readonly file: string,
    private record: LeaseRecord,
    private readonly now: () => number,
  ) {}

  /** Takes the shard's lease, or throws a CorpusError naming the live owner and what to do. */
  static acquire(file: string, opts: LeaseOptions): Lease {
    const now = opts.now ?? Date.now;
    const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
    const alive = opts.alive ?? processAlive;
    const stamp = new Date(now()).toISOString();
    const record: LeaseRecord = { pid: process.pid, host: hostname(), started_at: stamp, heartbeat_at: stamp, token: randomUUID() };
    if (createExclusive(file, record)) return new Lease(file, record, now).start(opts.heartbeatMs ?? HEARTBEAT_MS, opts.log);
    const held = readLease(file);
    if (held) {
      const age = now() - Date.parse(held.heartbeat_at);
      const gone = held.host === record.host && held.pid !== process.pid && !alive(held.pid);
      if (!gone && !(age > staleMs)) throw new CorpusError(busyMessage(file, held, age, staleMs));
      if (!takeOver(file, held))
        throw new CorpusError(`${file} changed while this run was taking over a stale lease: another process took it first. Run again once that one is done.`);
      const why = gone
        ? `process ${held.pid} is no longer running on ${held.host}`
        : `its last heartbeat was ${seconds(age)} ago, over the ${seconds(staleMs)} bound`;
      opts.log(`Took over the lease ${path.basename(file)} of process ${held.pid} on ${held.host} (started ${held.started_at}): ${why}`);
    } else {
      // Unreadable: being written where links are not supported (see createExclusive), or damaged. Trust its age.
      const age = now() - mtimeMs(file);
      if (!(age > staleMs)) {
        throw new CorpusError(
          `${file} holds no readable lease but was written ${seconds(Math.max(0, age))} ago: another process may be starting on this shard. Run again in a moment; if no other process writes this shard, remove ${file}.`,
        );
      }
      rmSync(file, { force: true });
      opts.log(`Removed ${path.basename(file)}, which held no readable lease and was ${seconds(age)} old`);
    }
    if (!createExclusive(file, record)) throw new CorpusError(`${file} was taken by another process at the same moment; run again once that one is done`);
    return new Lease(file, record, now).start(opts.heartbeatMs ?? HEARTBEAT_MS, opts.log);
  }

  private start(heartbeatMs: number, log: (line: string) => void): this {
    this.timer = setInterval(() => {
      try {
        this.renew();
      } catch (err) {
        // A full disk or the like: the next heartbeat tries again; check() still guards every part.
        log(`Could not renew the lease ${this.file}: ${(err as Error).message}`);
      }
    }, heartbeatMs);
    this.timer.unref();
    return this;
  }

  /** Rewrites the heartbeat, unless the lease is no longer this process's. */
  renew(): void {
    if (this.lost !== undefined) return;
    const held = readLease(this.file);
    if (held?.token !== this.record.token) {
      this.lost = held;
      return;
    }
    this.record = { ...this.record, heartbeat_at: new Date(this.now()).toISOString() };
    writeFileAtomic(this.file, Buffer.from(JSON.stringify(this.record, null, 2) + '\n'));
  }

  /** Throws when another process has taken the lease over (this one looked dead): it must not record more parts. */
  check(): void {
    if (this.lost === undefined) {
      const held = readLease(this.file);
      if (held?.token !== this.record.token) this.lost = held;
    }
    if (this.lost !== undefined) {
      const who = this.lost ? `process ${this.lost.pid} on ${this.lost.host} (since ${this.lost.started_at})` : 'nobody (the lease file was removed)';
      throw new CorpusError(
        `lost the lease ${this.file} to ${who}: this run's heartbeat stalled past the stale bound, or the file was removed. Stopped without recording more parts; the shard's manifest lists every part written so far.`,
      );
    }
  }

  /** Stops the heartbeat and removes the lease if it is still this process's. */
  release(): void {
    clearInterval(this.timer);
    if (readLease(this.file)?.token === this.record.token) rmSync(this.file, { force: true });
  }
}

/**
 * Writes the record beside the lease, then links it into place: the lease
 * appears whole, or not at all if one exists. Where the file system has no
 * hard links, it is created exclusively and written (briefly empty).
 */
function createExclusive(file: string, record: LeaseRecord): boolean {
  const text = JSON.stringify(record, null, 2) + '\n';
  const temp = `${file}.new-${record.token}`;
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    try {
      linkSync(temp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      writeFileSync(file, text, { flag: 'wx' });
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CorpusError(`cannot create the lease ${file}: ${(err as Error).message}`);
  } finally {
    rmSync(temp, { force: true });
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Moves the stale lease aside (one rename wins among processes taking over
 * at once) and makes sure it was the lease judged stale; a fresh one moved
 * by mistake is linked back (link never overwrites).
 */
function takeOver(file: string, stale: LeaseRecord): boolean {
  const aside = `${file}.taken-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = readLease(aside);
  if (moved?.token === stale.token) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    if (!existsSync(file)) linkSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
  return false;
}

export function readLease(file: string): LeaseRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as LeaseRecord;
    return typeof r.pid === 'number' && typeof r.token === 'string' && !Number.isNaN(Date.parse(r.heartbeat_at)) ? r : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busyMessage(file: string, held: LeaseRecord, age: number, staleMs: number): string {
  return (
    `this shard is being written by process ${held.pid} on ${held.host}, started ${held.started_at}, last heartbeat ${seconds(Math.max(0, age))} ago (lease ${file}). ` +
    'Two processes must not write one shard: give this one another --shard, or wait for that one to finish. ' +
    `If that process is gone, its lease is taken over once its heartbeat is ${seconds(staleMs)} old (sooner on the same host), or remove ${file} yourself.`
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
