// The corpus job's status line, on a fake clock.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { JobStatusLine } from '../../src/cli/job-progress.ts';

function capture(out: string[], isTTY: boolean) {
  return Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk.toString());
        cb();
      },
    }),
    { isTTY, columns: 120 },
  );
}

test('off a terminal: a plain line per interval with rows, tokens/s and the ETA of this run', () => {
  const out: string[] = [];
  let t = 0;
  const p = new JobStatusLine('shard-00001-of-00003', { stream: capture(out, false), intervalMs: 10_000, now: () => t });
  t = 5_000; // model loading is not counted
  p.resumeAt(0.2);
  for (let s = 1; s <= 20; s++) {
    t = 5_000 + s * 1_000;
    p.update({ rows: s * 10, tokens: s * 500, fraction: 0.2 + s * 0.02 });
  }
  assert.equal(out.length, 2, 'lines at 1 s and 11 s after embedding started');
  // At 11 s: 110 rows, 5500 tokens → 500 tokens/s; 0.22 of the input in 11 s, 0.58 left → 29 s.
  assert.equal(out[1], 'shard-00001-of-00003   42%  110 rows  500 tokens/s  ETA 29s\n');
  p.update({ rows: 200, tokens: 10_000, fraction: 1 }, true);
  assert.equal(out[2], 'shard-00001-of-00003  100%  200 rows  500 tokens/s\n', 'a forced final line, no ETA');
});
