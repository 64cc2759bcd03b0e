import assert from 'node:assert/strict';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { downloadWeights } from '../../../src/engine/weights/download.ts';
import { openPartFile, type OpenPart } from '../../../src/engine/weights/part-file.ts';
import { expectWeightsError } from '../../helpers/weights/expect-error.ts';
import { BIG, BIG_SIZE, startFixture, type Fixture } from '../../helpers/weights/fixture.ts';
import { handStallTimer, progressReaching } from '../../helpers/weights/stall-timer.ts';

let fx: Fixture;
afterEach(() => fx?.close());

const bigContent = () => fx.files.find((f) => f.path === BIG)!.content;
const cdnRequestsForBig = () => fx.hub.requests.filter((r) => r.server === 'cdn' && r.path.includes(sha(bigContent())));
const sha = (b: Buffer) => fx.manifest.find((m) => m.path === BIG && m.bytes === b.length)!.sha256!;

const expectCode = expectWeightsError;

describe('interrupted downloads', () => {
  it('a connection cut mid-body leaves a .part that the next run resumes with Range', async () => {
    fx = await startFixture();
    const cut = 70_001;
    fx.hub.misbehave(BIG, { cutAfter: cut });
    const err = await expectCode(downloadWeights(fx.opts()), 'network');
    assert.match(err.message, /Run again to resume/);
    // Bytes still queued in the stream when the cut is seen may be lost, never more than were sent.
    const kept = (await stat(path.join(fx.dir, `${BIG}.part`))).size;
    assert.ok(kept > 0 && kept <= cut, `part has ${kept} bytes`);

    await downloadWeights(fx.opts());
    const reqs = cdnRequestsForBig();
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0].range, undefined);
    assert.equal(reqs[1].range, `bytes=${kept}-`);
    assert.ok((await readFile(path.join(fx.dir, BIG))).equals(bigContent()));
  });

  it('retries within one run, resuming from where the connection broke', async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { cutAfter: 12_345, times: 2 });
    const resumedAt: number[] = [];
    const openPart: OpenPart = async (p, append) => {
      if (p.endsWith(`${BIG}.part`) && append) resumedAt.push((await stat(p)).size);
      return openPartFile(p, append);
    };
    await downloadWeights(fx.opts({ retries: 3, openPart }));
    const reqs = cdnRequestsForBig();
    assert.equal(reqs.length, 3);
    assert.equal(resumedAt.length, 2);
    assert.ok(resumedAt[0] > 0 && resumedAt[1] > resumedAt[0], `resumed at ${resumedAt}`);
    assert.deepEqual(
      reqs.map((r) => r.range),
      [undefined, ...resumedAt.map((n) => `bytes=${n}-`)],
    );
    assert.ok((await readFile(path.join(fx.dir, BIG))).equals(bigContent()));
  });

  it('a server that ignores Range makes the download start over cleanly', async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { cutAfter: 50_000 });
    await expectCode(downloadWeights(fx.opts()), 'network');
    const kept = (await stat(path.join(fx.dir, `${BIG}.part`))).size;
    fx.hub.misbehave(BIG, { ignoreRange: true });
    await downloadWeights(fx.opts());
    assert.equal(cdnRequestsForBig()[1].range, `bytes=${kept}-`);
    const onDisk = await readFile(path.join(fx.dir, BIG));
    assert.equal(onDisk.length, BIG_SIZE);
    assert.ok(onDisk.equals(bigContent()));
  });

  it('a part recorded for other content is discarded instead of resumed', async () => {
    fx = await startFixture();
    await mkdir(path.join(fx.dir, 'onnx'), { recursive: true });
    await writeFile(path.join(fx.dir, `${BIG}.part`), Buffer.alloc(1000, 7));
    await writeFile(path.join(fx.dir, `${BIG}.part.json`), JSON.stringify({ identity: 'f'.repeat(64) }));
    await downloadWeights(fx.opts());
    assert.equal(cdnRequestsForBig()[0].range, undefined);
    assert.ok((await readFile(path.join(fx.dir, BIG))).equals(bigContent()));
  });

  // The hub sends 40,000 bytes and then nothing: once they are on disk the connection has stalled,
  // and the test fires the stall timer then, instead of waiting for real time to pass.
  it('a stalled connection fails after the stall timeout instead of hanging', { timeout: 60_000 }, async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { stallAfter: 40_000 });
    const stall = handStallTimer();
    const progress = progressReaching(BIG, 40_000);
    const download = downloadWeights(fx.opts({ stallTimeoutMs: 200, stallTimer: stall.timer, onProgress: progress.onProgress }));
    await progress.reached;
    assert.equal(stall.pending, 1, "the stalled connection's guard");
    stall.fire();
    const err = await expectCode(download, 'stalled');
    assert.match(err.message, /No data arrived for 0\.2 s/);
    assert.equal((await stat(path.join(fx.dir, `${BIG}.part`))).size, 40_000, 'the part keeps what arrived');
  });

  it('a stalled connection is retried and resumed', { timeout: 60_000 }, async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { stallAfter: 40_000 });
    const stall = handStallTimer();
    const progress = progressReaching(BIG, 40_000);
    const download = downloadWeights(fx.opts({ stallTimeoutMs: 200, stallTimer: stall.timer, retries: 1, onProgress: progress.onProgress }));
    await progress.reached;
    stall.fire();
    await download;
    assert.deepEqual(
      cdnRequestsForBig().map((r) => r.range),
      [undefined, 'bytes=40000-'],
    );
    assert.ok((await readFile(path.join(fx.dir, BIG))).equals(bigContent()));
  });

  it('a complete part of unknown size is finished through the 416 answer to its Range', async () => {
    fx = await startFixture();
    await mkdir(path.join(fx.dir, 'onnx'), { recursive: true });
    await writeFile(path.join(fx.dir, `${BIG}.part`), bigContent());
    const pathsOnly = fx.manifest.map(({ path }) => ({ path }));
    const result = await downloadWeights(fx.opts({ files: pathsOnly }));
    assert.deepEqual(
      cdnRequestsForBig().map((r) => r.range),
      [`bytes=${BIG_SIZE}-`],
    );
    assert.equal(result.files.find((f) => f.path === BIG)?.bytes, BIG_SIZE);
  });
});
