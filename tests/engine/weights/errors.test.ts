import assert from 'node:assert/strict';
import { access, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { downloadWeights } from '../../../src/engine/weights/download.ts';
import { openPartFile, type OpenPart } from '../../../src/engine/weights/part-file.ts';
import { expectWeightsError } from '../../helpers/weights/expect-error.ts';
import { BIG, sha256, startFixture, type Fixture } from '../../helpers/weights/fixture.ts';

let fx: Fixture;
afterEach(() => fx?.close());

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('download errors say what went wrong and what to do', () => {
  it('rejects a corrupt file, deletes it and names both hashes', async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { corrupt: true });
    const err = await expectWeightsError(downloadWeights(fx.opts()), 'checksum');
    const expected = fx.manifest.find((m) => m.path === BIG)!.sha256!;
    assert.match(err.message, new RegExp(`${BIG}.*sha256 is [0-9a-f]{64}, expected ${expected}`));
    assert.match(err.message, /deleted/);
    assert.equal(err.file, BIG);
    assert.equal(await exists(path.join(fx.dir, BIG)), false);
    assert.equal(await exists(path.join(fx.dir, `${BIG}.part`)), false);
    await downloadWeights(fx.opts()); // the next run starts afresh and succeeds
    assert.equal(sha256(await readFile(path.join(fx.dir, BIG))), expected);
  });

  it('rejects a corrupt file against the Hub-reported hash when no manifest is pinned', async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { corrupt: true });
    const err = await expectWeightsError(downloadWeights(fx.opts({ files: fx.manifest.map(({ path }) => ({ path })) })), 'checksum');
    assert.match(err.message, /\(Hub headers\)/);
  });

  it('reports a missing file with its path and the revision', async () => {
    fx = await startFixture();
    const err = await expectWeightsError(downloadWeights(fx.opts({ files: [{ path: 'onnx/nope.onnx' }] })), 'not-found');
    assert.match(err.message, /onnx\/nope\.onnx was not found at revision c0ffee0+1 of BAAI\/bge-m3/);
    assert.match(err.message, /404/);
  });

  it('reports an unknown revision as such', async () => {
    fx = await startFixture();
    const err = await expectWeightsError(downloadWeights(fx.opts({ revision: 'no-such-branch' })), 'not-found');
    assert.match(err.message, /Revision no-such-branch does not exist in BAAI\/bge-m3/);
  });

  it('asks for HF_TOKEN on a 401 without a token', async () => {
    fx = await startFixture({ token: 'hf_right' });
    const err = await expectWeightsError(downloadWeights(fx.opts()), 'auth');
    assert.match(err.message, /Set HF_TOKEN/);
  });

  it('says the token was rejected on a 401 with a wrong token, and works with the right one from HF_TOKEN', async () => {
    fx = await startFixture({ token: 'hf_right' });
    const err = await expectWeightsError(downloadWeights(fx.opts({ token: 'hf_wrong' })), 'auth');
    assert.match(err.message, /rejected the token in HF_TOKEN/);
    const ok = await downloadWeights(fx.opts({ env: { HF_TOKEN: 'hf_right' } }));
    assert.equal(ok.files.length, fx.files.length);
  });

  it('explains a gated repo on a 403', async () => {
    fx = await startFixture({ token: 'hf_right', gated: true });
    const err = await expectWeightsError(downloadWeights(fx.opts({ token: 'hf_right' })), 'forbidden');
    assert.match(err.message, /gated.*Accept its terms/);
  });

  it('refuses up front when the disk is too small, before any request', async () => {
    fx = await startFixture();
    const err = await expectWeightsError(downloadWeights(fx.opts({ statFs: async () => ({ bavail: 10, bsize: 4096 }) })), 'disk-space');
    assert.match(err.message, /need .* more .* only 41\.0 kB is free/);
    assert.equal(fx.hub.requests.length, 0);
  });

  it('turns ENOSPC while writing into a disk-space error and keeps the part for resuming', async () => {
    fx = await startFixture();
    let written = 0;
    const openPart: OpenPart = async (p, append) => {
      const w = await openPartFile(p, append);
      if (!p.endsWith(`${BIG}.part`)) return w;
      return {
        async write(chunk) {
          if (written > 30_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          written += chunk.length;
          await w.write(chunk);
        },
        close: () => w.close(),
      };
    };
    const err = await expectWeightsError(downloadWeights(fx.opts({ openPart, retries: 3 })), 'disk-space');
    assert.match(err.message, /disk filled up while writing onnx\/model\.onnx_data.*free some space and run `npm run weights` again to resume/);
    assert.equal((await stat(path.join(fx.dir, `${BIG}.part`))).size, written);
    assert.equal(fx.hub.requests.filter((r) => r.server === 'cdn' && r.range).length, 0, 'ENOSPC is not retried');
  });

  it('explains a refused connection and points at HF_ENDPOINT', async () => {
    fx = await startFixture();
    const port = await closedPort();
    const err = await expectWeightsError(downloadWeights(fx.opts({ endpoint: `http://127.0.0.1:${port}` })), 'network');
    assert.match(err.message, /Connection refused by 127\.0\.0\.1:\d+.*HF_ENDPOINT/);
  });

  it('explains a DNS failure as being offline', async () => {
    fx = await startFixture();
    const dnsFailure: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' }) });
    };
    const err = await expectWeightsError(downloadWeights(fx.opts({ endpoint: 'https://huggingface.co', fetch: dnsFailure })), 'offline');
    assert.match(err.message, /Cannot reach huggingface\.co: DNS lookup failed \(ENOTFOUND\).*offline.*HF_ENDPOINT.*BGE_M3_WEIGHTS/);
  });

  it('retries a 503 and then succeeds', async () => {
    fx = await startFixture();
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (calls++ === 0) return new Response('busy', { status: 503, statusText: 'Service Unavailable' });
      return fetch(input, init);
    };
    const result = await downloadWeights(fx.opts({ fetch: flaky, retries: 2 }));
    assert.equal(result.files.length, fx.files.length);
  });

  it('stops with an AbortError when the signal fires, keeping the part', async () => {
    fx = await startFixture();
    fx.hub.misbehave(BIG, { stallAfter: 10_000 });
    const ac = new AbortController();
    const p = downloadWeights(fx.opts({ signal: ac.signal, onProgress: (e) => e.file === BIG && e.fileBytes > 0 && ac.abort() }));
    const err = await expectWeightsError(p, 'aborted');
    assert.equal(err.name, 'AbortError');
    assert.equal(await exists(path.join(fx.dir, `${BIG}.part`)), true);
  });

  it('with BGE_M3_WEIGHTS set, uses that directory and downloads nothing', async () => {
    fx = await startFixture();
    const result = await downloadWeights(fx.opts({ env: { BGE_M3_WEIGHTS: fx.dir } }));
    assert.equal(result.source, 'local');
    assert.equal(result.dir, fx.dir);
    assert.equal(fx.hub.requests.length, 0);
    const err = await expectWeightsError(downloadWeights(fx.opts({ env: { BGE_M3_WEIGHTS: path.join(fx.dir, 'missing') } })), 'local-missing');
    assert.match(err.message, /BGE_M3_WEIGHTS is set, so nothing is downloaded/);
  });

  it('with HF_HUB_OFFLINE=1, names the missing files instead of downloading', async () => {
    fx = await startFixture();
    const err = await expectWeightsError(downloadWeights(fx.opts({ env: { HF_HUB_OFFLINE: '1' } })), 'local-missing');
    assert.match(err.message, new RegExp(`lacks ${fx.files[0].path}`));
    assert.equal(fx.hub.requests.length, 0);
  });
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('a server sending the wrong file', () => {
  it('stops as soon as a file runs past its pinned size, and deletes it', async () => {
    fx = await startFixture();
    const shrunk = fx.manifest.map((m) => (m.path === BIG ? { ...m, bytes: 1_000 } : m));
    const err = await expectWeightsError(downloadWeights(fx.opts({ files: shrunk })), 'checksum');
    assert.match(err.message, /more than the expected 1000 bytes of onnx\/model\.onnx_data/);
    assert.equal(await exists(path.join(fx.dir, `${BIG}.part`)), false);
  });
});

describe('the storage behind the Hub', () => {
  it('retries through the Hub when the storage refuses a signed link', async () => {
    fx = await startFixture();
    let refused = 0;
    const expiring: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.startsWith(fx.hub.cdnUrl) && refused++ === 0) return new Response('expired', { status: 403, statusText: 'Forbidden' });
      return fetch(input, init);
    };
    const result = await downloadWeights(fx.opts({ fetch: expiring, retries: 1 }));
    assert.equal(result.files.length, fx.files.length);
    assert.equal(refused > 1, true);
  });
});
