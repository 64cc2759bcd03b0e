// Aborts a request when no progress is seen for `ms`: a connection that stops
// sending must fail (and be retried) rather than hang forever.

/** Calls `fire` after `ms` unless the returned function is called first. Tests pass one they fire by hand. */
export type StallTimer = (fire: () => void, ms: number) => () => void;

const realTimer: StallTimer = (fire, ms) => {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
};

export class StallGuard {
  readonly controller = new AbortController();
  private cancel?: () => void;
  private fired = false;

  constructor(
    private readonly ms: number,
    private readonly timer: StallTimer = realTimer,
  ) {
    this.touch();
  }

  get stalled(): boolean {
    return this.fired;
  }

  /** Call on every sign of progress (headers, a chunk of body). */
  touch(): void {
    this.cancel?.();
    this.cancel = this.timer(() => {
      this.fired = true;
      this.controller.abort(new Error(`no data for ${this.ms} ms`));
    }, this.ms);
  }

  stop(): void {
    this.cancel?.();
  }
}
