// Aborts a request when no progress is seen for `ms`: a connection that stops
// sending must fail (and be retried) rather than hang forever.

export class StallGuard {
  readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private fired = false;

  constructor(private readonly ms: number) {
    this.touch();
  }

  get stalled(): boolean {
    return this.fired;
  }

  /** Call on every sign of progress (headers, a chunk of body). */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error(`no data for ${this.ms} ms`));
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
