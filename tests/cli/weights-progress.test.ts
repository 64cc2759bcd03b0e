// The weights download's progress drawn on the command line: the status
// line's content, and how it is written on and off a terminal.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { formatDuration } from '../../src/cli/progress-display.ts';
import { ProgressBar, formatProgressLine } from '../../src/cli/weights-progress.ts';
import type { DownloadProgress } from '../../src/engine/weights/progress.ts';

const sample = (bytes: number, phase: DownloadProgress['phase'] = 'download'): DownloadProgress => ({
  file: 'onnx/model.onnx_data',
  phase,
  fileIndex: 9,
  fileCount: 10,
  fileBytes: bytes,
  fileTotal: 2e9,
  bytes,
  total: 2e9,
});

function capture(out: string[], isTTY: boolean) {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(w, { isTTY });
}

describe('progress display', () => {
  it('shows percent, bar, bytes, rate, ETA and the file', () => {
    const line = formatProgressLine(sample(5e8), 5e7, 10);
    assert.equal(line, ' 25%  |###.......|  500 MB / 2.00 GB  50.0 MB/s  ETA 30s  fetching onnx/model.onnx_data [10/10]');
  });

  it('formats durations', () => {
    assert.deepEqual([formatDuration(59.4), formatDuration(61), formatDuration(3725)], ['59s', '1m01s', '1h02m']);
  });

  it('off a terminal, prints a plain line at most every interval', () => {
    const out: string[] = [];
    let t = 0;
    const stream = capture(out, false);
    const bar = new ProgressBar({ stream, intervalMs: 5_000, now: () => t });
    for (let i = 0; i <= 20; i++, t += 1_000) bar.update(sample(i * 1e8));
    bar.update(sample(2e9, 'done'));
    assert.equal(out.length, 5); // t = 0, 5, 10, 15, 20 s; "done" adds no line off a terminal
    assert.ok(out.every((l) => l.endsWith('\n') && !l.includes('\r')));
    assert.match(out[1], /100 MB\/s/);
  });

  it('on a terminal, redraws one line in place and ends it on finish', () => {
    const out: string[] = [];
    const stream = Object.assign(capture(out, true), { columns: 120 });
    const bar = new ProgressBar({ stream, intervalMs: 0, now: () => 0 });
    bar.update(sample(1e8));
    bar.log('Verified tokenizer.json');
    bar.finish();
    const drawn = out.filter((l) => l.includes('100 MB / 2.00 GB'));
    assert.ok(drawn.length >= 2, 'drawn, then drawn again under the log line');
    assert.ok(
      drawn.every((l) => !l.includes('\n')),
      'the status line is redrawn in place, never scrolled',
    );
    assert.ok(
      out.some((l) => l.endsWith('\x1b[2KVerified tokenizer.json\n')),
      'a log line clears the bar and gets its own line',
    );
    assert.equal(out.at(-1), '\n');
  });
});
