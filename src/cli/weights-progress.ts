// Draws the weights download's progress events on stderr through the shared
// ProgressDisplay (cli-progress on a terminal: bar, bytes, rate, ETA redrawn
// in place; otherwise a plain line every few seconds so logs stay readable).
// The downloader only emits the events; drawing them is the command line's job.
import { formatBytes } from '../engine/weights/errors.ts';
import type { DownloadProgress } from '../engine/weights/progress.ts';
import { barText, formatDuration, ProgressDisplay, type ProgressStream } from './progress-display.ts';

export interface ProgressBarOptions {
  stream?: ProgressStream;
  /** Plain-line interval off a terminal; default 5 s. */
  intervalMs?: number;
  now?: () => number;
}

export class ProgressBar {
  private readonly display: ProgressDisplay;
  private readonly now: () => number;
  private readonly rate = new RateMeter();
  private last?: DownloadProgress;

  constructor(opts: ProgressBarOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.display = new ProgressDisplay({
      stream: opts.stream,
      intervalMs: opts.intervalMs ?? 5_000,
      now: this.now,
      line: (cells) => (this.last ? formatProgressLine(this.last, this.rate.perSecond(this.now()), cells) : ''),
    });
  }

  /** Pass as downloadWeights({ onProgress }). */
  readonly update = (p: DownloadProgress): void => {
    this.rate.add(this.now(), p.bytes);
    this.last = p;
    // A finished file is always shown on a terminal; in logs, the caller's "Verified" line says it.
    this.display.update(p.phase === 'done' && this.display.tty);
  };

  /** Pass as downloadWeights({ log }): prints a line without garbling the bar. */
  readonly log = (line: string): void => this.display.log(line);

  /** Ends the bar's line; call when the download finishes or fails. */
  finish(): void {
    this.display.finish();
  }
}

/** One status line; `barCells` 0 leaves the bar out. Exported for tests. */
export function formatProgressLine(p: DownloadProgress, bytesPerSecond: number | null, barCells: number): string {
  const parts: string[] = [];
  const fraction = p.total ? Math.min(1, p.bytes / p.total) : null;
  if (fraction !== null) parts.push(`${(fraction * 100).toFixed(0).padStart(3)}%`);
  if (fraction !== null && barCells > 0) parts.push(`|${barText(fraction, barCells)}|`);
  parts.push(p.total ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}` : formatBytes(p.bytes));
  if (bytesPerSecond !== null) parts.push(`${formatBytes(Math.round(bytesPerSecond))}/s`);
  const eta = p.total && bytesPerSecond ? (p.total - p.bytes) / bytesPerSecond : null;
  if (eta !== null && eta > 0) parts.push(`ETA ${formatDuration(eta)}`);
  const action = p.phase === 'verify' ? 'verifying' : p.phase === 'done' ? 'done' : 'fetching';
  parts.push(`${action} ${p.file} [${p.fileIndex + 1}/${p.fileCount}]`);
  return parts.join('  ');
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
