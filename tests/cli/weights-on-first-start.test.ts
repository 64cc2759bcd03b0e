// npm start on a fresh machine: setup downloads the weights (here from a fake
// hub on loopback serving the tiny generated model under BAAI/bge-m3's paths),
// then loads them; the next start downloads nothing.
import assert from 'node:assert/strict';
import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { withWeightsDownload } from '../../src/cli/weights-on-first-start.ts';
import { PINNED_FILES } from '../../src/engine/weights/manifest.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { FakeHub, type FakeFile } from '../helpers/weights/fake-hub.ts';

const REVISION = 'feed000000000000000000000000000000000002';

async function hubFiles(): Promise<FakeFile[]> {
  const dir = (await ensureTestModels()).dirs.official;
  const present = new Set(await listFiles(dir));
  return Promise.all(
    PINNED_FILES.map(async ({ path: p }) => ({
      path: p,
      content: present.has(p) ? await readFile(path.join(dir, p)) : Buffer.from('{}\n'),
      lfs: p.endsWith('.onnx') || p.endsWith('_data') || p.endsWith('.pt'),
    })),
  );
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    out.push(...(e.isDirectory() ? await listFiles(dir, p) : [p]));
  }
  return out;
}

test('the first start downloads the weights, then serves predictions; the next start downloads nothing', async () => {
  const hub = await new FakeHub({ repo: 'BAAI/bge-m3', revision: REVISION, files: await hubFiles() }).start();
  const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, BGE_M3_REVISION: process.env.BGE_M3_REVISION };
  process.env.HF_ENDPOINT = hub.hubUrl;
  process.env.BGE_M3_REVISION = REVISION;
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-first-start-'));
    const logs: string[] = [];
    const first = withWeightsDownload(new Predictor(), dir);
    await first.setup({ log: (l) => logs.push(l) });
    assert.match(logs.join('\n'), /not in .* yet: downloading BAAI\/bge-m3/);
    const out = (await first.predict({ texts: ['hello'] })) as { dense_vecs: number[][] };
    assert.equal(out.dense_vecs.length, 1);
    const downloads = hub.requests.length;
    assert.ok(downloads >= PINNED_FILES.length);

    const second = withWeightsDownload(new Predictor(), dir);
    const again: string[] = [];
    await second.setup({ log: (l) => again.push(l) });
    assert.equal(hub.requests.length, downloads, 'nothing fetched on the second start');
    assert.doesNotMatch(again.join('\n'), /downloading/);
  } finally {
    Object.assign(process.env, saved);
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    await hub.stop();
  }
});
