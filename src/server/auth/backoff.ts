// Slows down guessing: every failed key check from one address counts; after
// `freeFailures` of them each further 401 waits min(base · 2^(n - free - 1), cap).
// A count decays by one per `forgiveMs` without failures. Only the 401 waits:
// a request with a valid key is never delayed, whatever its address did.
// The table is capped; the address that failed longest ago is dropped first.

export interface BackoffOptions {
  freeFailures: number;
  baseMs: number;
  capMs: number;
  forgiveMs: number;
  maxAddresses: number;
  now: () => number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = {
  freeFailures: 5,
  baseMs: 100,
  capMs: 10_000,
  forgiveMs: 60_000,
  maxAddresses: 10_000,
  now: Date.now,
};

interface Tally {
  failures: number;
  lastAt: number;
}

export class FailureBackoff {
  private readonly table = new Map<string, Tally>();
  private readonly o: BackoffOptions;

  constructor(opts: Partial<BackoffOptions> = {}) {
    this.o = { ...DEFAULT_BACKOFF, ...opts };
  }

  /** Records a failure from `address`; returns how long (ms) its 401 should wait. */
  fail(address: string): number {
    const now = this.o.now();
    const n = this.failuresAt(address, now) + 1;
    this.table.delete(address); // re-inserted last: Map order is then oldest failure first
    this.table.set(address, { failures: n, lastAt: now });
    if (this.table.size > this.o.maxAddresses) this.table.delete(this.table.keys().next().value!);
    const over = n - this.o.freeFailures;
    return over <= 0 ? 0 : Math.min(this.o.baseMs * 2 ** (over - 1), this.o.capMs);
  }

  /** Failures counted for `address` now, after decay. */
  failuresAt(address: string, now = this.o.now()): number {
    const r = this.table.get(address);
    if (!r) return 0;
    const forgiven = Math.floor((now - r.lastAt) / this.o.forgiveMs);
    return Math.max(0, r.failures - forgiven);
  }

  get size(): number {
    return this.table.size;
  }
}
