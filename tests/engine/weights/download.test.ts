import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { downloadWeights, weightsPresent } from '../../../src/engine/weights/download.ts';
import { PINNED_FILES } from '../../../src/engine/weights/manifest.ts';
import type { DownloadProgress } from '../../../src/engine/weights/progress.ts';
import { BIG, REVISION, sha256, startFixture, type Fixture } from '../../helpers/weights/fixture.ts';

let fx: Fixture;
afterEach(() => fx?.close());

async function listAll(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    out.push(...(e.isDirectory() ? await listAll(dir, p) : [p]));
  }
  return out.sort();
}

describe('downloadWeights against a fake Hub', () => {
  it('downloads every file into repo paths and verifies it', async () => {
    fx = await startFixture();
    const result = await downloadWeights(fx.opts({ token: 'hf_secret' }));
    assert.equal(result.source, 'download');
    assert.equal(result.revision, REVISION);
    for (const f of fx.files) {
      const onDisk = await readFile(path.join(fx.dir, f.path));
      assert.ok(onDisk.equals(f.content), `${f.path} content`);
      const entry = result.files.find((r) => r.path === f.path);
      assert.deepEqual(entry, { path: f.path, bytes: f.content.length, sha256: sha256(f.content) });
    }
    const leftovers = (await listAll(fx.dir)).filter((p) => p.endsWith('.part') || p.endsWith('.part.json'));
    assert.deepEqual(leftovers, []);
  });

  it('sends the token to the Hub only, never to the CDN, and asks for unencoded bytes', async () => {
    fx = await startFixture();
    await downloadWeights(fx.opts({ token: 'hf_secret' }));
    const hubReqs = fx.hub.requests.filter((r) => r.server === 'hub');
    const cdnReqs = fx.hub.requests.filter((r) => r.server === 'cdn');
    assert.equal(hubReqs.length, fx.files.length);
    assert.equal(cdnReqs.length, fx.files.filter((f) => f.lfs).length);
    assert.ok(hubReqs.every((r) => r.authorization === 'Bearer hf_secret'));
    assert.ok(cdnReqs.every((r) => r.authorization === undefined));
    assert.ok(fx.hub.requests.every((r) => r.acceptEncoding === 'identity'));
  });

  it('a second run finds everything in place and sends no request', async () => {
    fx = await startFixture();
    await downloadWeights(fx.opts());
    const before = fx.hub.requests.length;
    const again = await downloadWeights(fx.opts());
    assert.equal(again.source, 'cached');
    assert.equal(fx.hub.requests.length, before);
    assert.deepEqual(
      again.files.map((f) => f.path),
      fx.files.map((f) => f.path),
    );
  });

  it('fetches again a file that was changed on disk, and only that one', async () => {
    fx = await startFixture();
    await downloadWeights(fx.opts());
    const victim = fx.files.find((f) => f.path === 'config.json')!;
    await writeFile(path.join(fx.dir, victim.path), Buffer.alloc(victim.content.length, 0x20));
    await writeFile(path.join(fx.dir, '.bge-m3-weights.json'), '{}'); // forget what was verified
    const before = fx.hub.requests.length;
    await downloadWeights(fx.opts());
    const newReqs = fx.hub.requests.slice(before);
    assert.deepEqual(
      newReqs.map((r) => r.path),
      [`/BAAI/bge-m3/resolve/${REVISION}/config.json`],
    );
    assert.ok((await readFile(path.join(fx.dir, victim.path))).equals(victim.content));
  });

  it('at a revision without a manifest, verifies against the hashes the Hub reports', async () => {
    fx = await startFixture();
    const pathsOnly = fx.manifest.map(({ path }) => ({ path }));
    const result = await downloadWeights(fx.opts({ files: pathsOnly }));
    for (const f of fx.files) assert.equal(result.files.find((r) => r.path === f.path)?.sha256, sha256(f.content));
    assert.equal(result.commit, REVISION);
  });

  it('reports progress that never goes backwards and ends at the total', async () => {
    fx = await startFixture();
    const events: DownloadProgress[] = [];
    await downloadWeights(fx.opts({ onProgress: (p) => events.push(p) }));
    const total = fx.files.reduce((s, f) => s + f.content.length, 0);
    assert.ok(events.length > fx.files.length);
    for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes >= events[i - 1].bytes, `event ${i} went backwards`);
    assert.ok(events.every((e) => e.total === total && e.bytes <= total));
    assert.equal(events.at(-1)!.bytes, total);
    assert.equal(events.filter((e) => e.phase === 'done').length, fx.files.length);
    const big = events.filter((e) => e.file === BIG && e.phase === 'download');
    for (let i = 1; i < big.length; i++) assert.ok(big[i].fileBytes >= big[i - 1].fileBytes);
  });

  it('weightsPresent checks that every pinned file is there with its size', async () => {
    fx = await startFixture();
    assert.equal(await weightsPresent(fx.dir), false);
    // Sparse files of the pinned sizes: no disk is used, only sizes are checked.
    for (const f of PINNED_FILES) {
      await mkdir(path.dirname(path.join(fx.dir, f.path)), { recursive: true });
      await truncate(path.join(fx.dir, f.path), 0).catch(() => writeFile(path.join(fx.dir, f.path), ''));
      await truncate(path.join(fx.dir, f.path), f.bytes);
    }
    assert.equal(await weightsPresent(fx.dir), true);
    await truncate(path.join(fx.dir, 'onnx/model.onnx_data'), 1000);
    assert.equal(await weightsPresent(fx.dir), false);
  });
});

describe('files put in place by hand', () => {
  it('are hashed once, recorded, and then trusted without a request', async () => {
    fx = await startFixture();
    for (const f of fx.files) {
      await mkdir(path.dirname(path.join(fx.dir, f.path)), { recursive: true });
      await writeFile(path.join(fx.dir, f.path), f.content);
    }
    const first = await downloadWeights(fx.opts());
    assert.equal(first.source, 'cached');
    const record = JSON.parse(await readFile(path.join(fx.dir, '.bge-m3-weights.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    assert.deepEqual(record.files.map((f) => f.sha256).sort(), fx.files.map((f) => sha256(f.content)).sort());
    assert.equal(fx.hub.requests.length, 0);
  });
});
