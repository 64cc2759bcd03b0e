// The corpus job's status line: how far through the input, rows and tokens
// embedded, tokens per second and the time left.
import type { JobCounts, JobProgress } from '../corpus/progress.ts';
import { barText, formatDuration, ProgressDisplay, type ProgressStream } from './progress-display.ts';

export class JobStatusLine implements JobProgress {
  private readonly display: ProgressDisplay;
  private counts: JobCounts = { rows: 0, tokens: 0, fraction: 0 };
  private startFraction = 0;
  private started: number;

  constructor(
    private readonly label: string,
    opts: { stream?: ProgressStream; intervalMs?: number; now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.started = this.now();
    this.display = new ProgressDisplay({ stream: opts.stream, intervalMs: opts.intervalMs ?? 10_000, now: this.now, line: (cells) => this.line(cells) });
  }

  private readonly now: () => number;

  get log(): (line: string) => void {
    return this.display.log;
  }

  /** Embedding starts (the model is loaded) at this point of the input: the rate and ETA count from here. */
  resumeAt(fraction: number): void {
    this.startFraction = fraction;
    this.started = this.now();
  }

  update(counts: JobCounts, force = false): void {
    this.counts = counts;
    this.display.update(force);
  }

  finish(): void {
    this.display.finish();
  }

  private line(barCells: number): string {
    const { rows, tokens, fraction } = this.counts;
    const seconds = (this.now() - this.started) / 1000;
    const parts = [`${this.label}`, `${(fraction * 100).toFixed(0).padStart(3)}%`];
    if (barCells) parts.push(`|${barText(fraction, barCells)}|`);
    parts.push(`${rows} rows`, `${seconds > 0 ? Math.round(tokens / seconds) : 0} tokens/s`);
    const done = fraction - this.startFraction;
    if (done > 0 && fraction < 1) parts.push(`ETA ${formatDuration((seconds * (1 - fraction)) / done)}`);
    return parts.join('  ');
  }
}
