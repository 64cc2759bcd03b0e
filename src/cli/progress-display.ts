// One status line on stderr for long commands (weights download, corpus job).
// On a terminal, cli-progress redraws it in place; elsewhere (logs, CI,
// Kubernetes) a plain line is printed at most every interval, so the output
// stays readable and grep-able.
import cliProgress from 'cli-progress';

export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressDisplayOptions {
  stream?: ProgressStream;
  /** Builds the status line; `barCells` is the bar's width, 0 when the bar is left out (not a terminal). */
  line: (barCells: number) => string;
  /** Plain-line interval off a terminal; default 5 s. */
  intervalMs?: number;
  now?: () => number;
}

export class ProgressDisplay {
  readonly tty: boolean;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private bar?: cliProgress.SingleBar;
  private lastLine = -Infinity;

  constructor(private readonly opts: ProgressDisplayOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.intervalMs = opts.intervalMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  /** Something changed: redraw on a terminal; off one, print a line when the interval has passed (or `force`). */
  update(force = false): void {
    if (this.tty) {
      this.barStarted().update(0);
      if (force) this.bar!.render();
      return;
    }
    const t = this.now();
    if (!force && t - this.lastLine < this.intervalMs) return;
    this.lastLine = t;
    this.stream.write(this.opts.line(0) + '\n');
  }

  /** Prints a line without garbling the bar. */
  readonly log = (line: string): void => {
    if (!this.bar) {
      this.stream.write(line + '\n');
      return;
    }
    this.stream.write(`\r\x1b[2K${line}\n`);
    this.bar.render();
  };

  /** Ends the bar's line; call when the work finishes or fails. */
  finish(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private barStarted(): cliProgress.SingleBar {
    if (this.bar) return this.bar;
    const cells = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 90));
    this.bar = new cliProgress.SingleBar({
      stream: this.stream,
      format: () => this.opts.line(cells),
      hideCursor: false,
      gracefulExit: false, // SIGTERM and SIGINT must keep their default effect
      linewrap: null,
      forceRedraw: true, // after a log line, the unchanged status line must come back
      fps: 10,
    });
    // cli-progress saves the cursor at start and restores it at stop, which
    // puts the cursor back above any log line printed meanwhile: keep it where it is.
    const terminal = (this.bar as unknown as { terminal: { cursorSave(): void; cursorRestore(): void } }).terminal;
    terminal.cursorSave = terminal.cursorRestore = () => {};
    this.bar.start(1, 0);
    return this.bar;
  }
}

/** `12s`, `3m05s`, `2h07m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `[####......]` text of `cells` cells for a fraction 0..1. */
export function barText(fraction: number, cells: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * cells);
  return '#'.repeat(full) + '.'.repeat(cells - full);
}
