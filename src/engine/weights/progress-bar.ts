// Shows download progress on stderr: on a terminal, one line redrawn in place
// (bar, bytes, rate, ETA); otherwise (logs, CI, docker build) a plain line
// every few seconds so the output stays readable.
import { formatBytes } from './errors.ts';
import type { DownloadProgress } from './progress.ts';

export interface ProgressBarOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Redraw interval; default 100 ms on a TTY, 5 s otherwise. */
  intervalMs?: number;
  now?: () => number;
}

export class ProgressBar {
  private readonly stream: NonNullable<ProgressBarOptions['stream']>;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly rate = new RateMeter();
  private lastDraw = -Infinity;
  private drawn = false;
  private last?: DownloadProgress;

  constructor(opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.intervalMs = opts.intervalMs ?? (this.tty ? 100 : 5_000);
    this.now = opts.now ?? Date.now;
  }

  /** Pass as downloadWeights({ onProgress }). */
  readonly update = (p: DownloadProgress): void => {
    const t = this.now();
    this.rate.add(t, p.bytes);
    this.last = p;
    // A finished file is always shown on a terminal; in logs, the caller's "Verified" line says it.
    const force = p.phase === 'done' && this.tty;
    if (!force && t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.draw(p, t);
  };

  /** Pass as downloadWeights({ log }): prints a line without garbling the bar. */
  readonly log = (line: string): void => {
    this.clear();
    this.stream.write(line + '\n');
    if (this.tty && this.last && this.last.phase !== 'done') this.draw(this.last, this.now());
  };

  /** Ends the bar's line; call when the download finishes or fails. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private draw(p: DownloadProgress, t: number): void {
    const line = formatProgressLine(p, this.rate.perSecond(t), this.tty ? barWidth(this.stream.columns) : 0);
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.stream.write(line + '\n');
    }
  }

  private clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
  }
}

/** One status line; `barCells` 0 leaves the bar out. Exported for tests. */
export function formatProgressLine(p: DownloadProgress, bytesPerSecond: number | null, barCells: number): string {
  const parts: string[] = [];
  const fraction = p.total ? Math.min(1, p.bytes / p.total) : null;
  if (fraction !== null) parts.push(`${(fraction * 100).toFixed(0).padStart(3)}%`);
  if (fraction !== null && barCells > 0) parts.push(`|${bar(fraction, barCells)}|`);
  parts.push(p.total ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}` : formatBytes(p.bytes));
  if (bytesPerSecond !== null) parts.push(`${formatBytes(Math.round(bytesPerSecond))}/s`);
  const eta = p.total && bytesPerSecond ? (p.total - p.bytes) / bytesPerSecond : null;
  if (eta !== null && eta > 0) parts.push(`ETA ${formatDuration(eta)}`);
  const action = p.phase === 'verify' ? 'verifying' : p.phase === 'done' ? 'done' : 'fetching';
  parts.push(`${action} ${p.file} [${p.fileIndex + 1}/${p.fileCount}]`);
  return parts.join('  ');
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function bar(fraction: number, cells: number): string {
  const full = Math.round(fraction * cells);
  return '#'.repeat(full) + '.'.repeat(cells - full);
}

function barWidth(columns: number | undefined): number {
  return Math.max(10, Math.min(30, (columns ?? 80) - 90));
}

/** Bytes per second over the last ~10 seconds of samples. */
class RateMeter {
  private samples: { t: number; bytes: number }[] = [];

  add(t: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && t - last.t < 100) {
      last.bytes = bytes;
      return;
    }
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0].t > 10_000) this.samples.shift();
  }

  perSecond(t: number): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || t - first.t < 500) return null;
    return (last.bytes - first.bytes) / ((last.t - first.t) / 1000 || 1);
  }
}
