// /v1 predictions by id: in-flight ones always, finished ones within the
// retention limits (age, count, bytes of output), listed newest first in
// cursor pages. With API keys on, each caller sees only the predictions its
// key created: `owner` (a key's hash; undefined with keys off) must match.
import type { Prediction } from './prediction.ts';

export interface RetentionLimits {
  maxAgeMs: number;
  maxCount: number;
  maxBytes: number;
}

interface Entry {
  p: Prediction;
  seq: number;
  finishedAt?: number;
  bytes?: number;
}

export interface Page {
  results: Prediction[];
  /** Cursor of the next (older) page, or null. */
  next: string | null;
  /** Cursor of the previous (newer) page, or null. */
  previous: string | null;
}

export class BadCursorError extends Error {}

export class PredictionStore {
  private readonly byId = new Map<string, Entry>();
  /** Finished entries, oldest completion first. */
  private readonly finished: Entry[] = [];
  private seq = 0;
  private bytes = 0;

  constructor(
    private readonly limits: RetentionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  add(p: Prediction): void {
    if (!p.id) throw new Error('a stored prediction needs an id');
    const entry: Entry = { p, seq: ++this.seq };
    this.byId.set(p.id, entry);
    void p.settled.then(() => this.finish(entry));
  }

  /** The prediction `id` if `owner` created it (undefined owners: keys off). */
  get(id: string, owner?: string): Prediction | undefined {
    this.prune();
    const p = this.byId.get(id)?.p;
    return p && p.owner === owner ? p : undefined;
  }

  get size(): number {
    return this.byId.size;
  }

  /** One page of `owner`'s predictions, newest first. Throws BadCursorError for a cursor this store did not make. */
  page(cursor: string | undefined, size: number, owner?: string): Page {
    this.prune();
    const all = [...this.byId.values()].filter((e) => e.p.owner === owner); // ascending seq: insertion order
    const c = cursor ? decodeCursor(cursor) : { dir: 'older' as const, seq: Infinity };
    const slice =
      c.dir === 'older'
        ? all
            .filter((e) => e.seq < c.seq)
            .slice(-size)
            .reverse()
        : all
            .filter((e) => e.seq > c.seq)
            .slice(0, size)
            .reverse();
    const first = slice[0]?.seq;
    const last = slice.at(-1)?.seq;
    return {
      results: slice.map((e) => e.p),
      next: last !== undefined && all[0].seq < last ? encodeCursor('older', last) : null,
      previous: first !== undefined && all.at(-1)!.seq > first ? encodeCursor('newer', first) : null,
    };
  }

  private finish(entry: Entry): void {
    entry.finishedAt = this.now();
    entry.bytes = (JSON.stringify(entry.p.output)?.length ?? 0) + entry.p.logs.length;
    this.bytes += entry.bytes;
    this.finished.push(entry);
    this.prune();
  }

  private prune(): void {
    const oldest = this.now() - this.limits.maxAgeMs;
    while (this.finished.length) {
      const e = this.finished[0];
      const over = this.finished.length > this.limits.maxCount || this.bytes > this.limits.maxBytes || e.finishedAt! < oldest;
      if (!over) break;
      this.finished.shift();
      this.bytes -= e.bytes!;
      this.byId.delete(e.p.id!);
    }
  }
}

function encodeCursor(dir: 'older' | 'newer', seq: number): string {
  return Buffer.from(`${dir}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): { dir: 'older' | 'newer'; seq: number } {
  const m = /^(older|newer):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new BadCursorError(`cursor ${JSON.stringify(cursor)} is not one this server made; use the "next" or "previous" URL of a list response`);
  return { dir: m[1] as 'older' | 'newer', seq: Number(m[2]) };
}
