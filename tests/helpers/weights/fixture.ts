// A small repo in the shape of BAAI/bge-m3 (LFS and non-LFS files, a nested
// folder) for the downloader tests, plus the expected manifest computed
// straight from the bytes served.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DownloadOptions } from '../../../src/engine/weights/download.ts';
import type { WeightFile } from '../../../src/engine/weights/manifest.ts';
import { FakeHub, generatedBytes, type FakeFile, type FakeHubOptions } from './fake-hub.ts';

export const REPO = 'BAAI/bge-m3';
export const REVISION = 'c0ffee0000000000000000000000000000000001';
export const BIG = 'onnx/model.onnx_data';
export const BIG_SIZE = 200_000;

export function fixtureFiles(): FakeFile[] {
  return [
    { path: 'onnx/model.onnx', content: generatedBytes(3_000, 1), lfs: true },
    { path: BIG, content: generatedBytes(BIG_SIZE, 2), lfs: true },
    { path: 'onnx/Constant_7_attr__value', content: generatedBytes(700, 3), lfs: false },
    { path: 'tokenizer.json', content: Buffer.from(JSON.stringify({ version: '1.0', model: { type: 'Unigram' } })), lfs: true },
    { path: 'config.json', content: Buffer.from('{"hidden_size": 8}\n'), lfs: false },
  ];
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The manifest a pinned revision would carry for these files. */
export function manifestFor(files: FakeFile[]): WeightFile[] {
  return files.map((f) => ({ path: f.path, bytes: f.content.length, sha256: sha256(f.content) }));
}

export interface Fixture {
  hub: FakeHub;
  files: FakeFile[];
  manifest: WeightFile[];
  dir: string;
  /** Options for downloadWeights against this hub; extra fields override. */
  opts(extra?: Partial<DownloadOptions>): DownloadOptions;
  close(): Promise<void>;
}

export async function startFixture(hubOpts: Partial<FakeHubOptions> = {}): Promise<Fixture> {
  const files = fixtureFiles();
  const hub = await new FakeHub({ repo: REPO, revision: REVISION, files, ...hubOpts }).start();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-weights-test-'));
  const manifest = manifestFor(files);
  return {
    hub,
    files,
    manifest,
    dir,
    opts: (extra = {}) => ({
      dir,
      endpoint: hub.hubUrl,
      revision: REVISION,
      files: manifest,
      env: {},
      retries: 0,
      retryDelayMs: 1,
      stallTimeoutMs: 5_000,
      ...extra,
    }),
    async close() {
      await hub.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
