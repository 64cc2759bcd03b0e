// The `weights` command as npm run weights and the Docker image's weights
// stage run it: src/cli/weights-command.ts in a child process, from a copy of
// the repo holding only src/engine/weights, src/cli and src/setting-kinds.ts (what that stage
// copies), downloading from a fake Hub on loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PINNED_FILES } from '../../src/engine/weights/manifest.ts';
import { FakeHub, generatedBytes, type FakeFile } from '../helpers/weights/fake-hub.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REVISION = 'beef000000000000000000000000000000000003';
const HUB_FILES: FakeFile[] = PINNED_FILES.map((f, i) => ({
  path: f.path,
  content: generatedBytes(1_000 + 100 * i, 40 + i),
  lfs: f.path.endsWith('.onnx') || f.path.endsWith('_data') || f.path.endsWith('.pt'),
}));

/** A directory like the weights stage's: the two folders, node_modules and a bare ES-module package.json. */
async function weightsStageTree(): Promise<string> {
  const tree = await mkdtemp(path.join(os.tmpdir(), 'bge-weights-stage-'));
  for (const dir of ['src/engine/weights', 'src/cli', 'src/setting-kinds.ts']) await cp(path.join(ROOT, dir), path.join(tree, dir), { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  await writeFile(path.join(tree, 'package.json'), '{"type":"module"}\n');
  return tree;
}

async function weightsCommand(tree: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const inherited = { ...process.env };
  for (const k of ['BGE_M3_WEIGHTS', 'COG_WEIGHTS', 'BGE_M3_REVISION', 'HF_HUB_OFFLINE', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) delete inherited[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/weights-command.ts', ...args], { cwd: tree, env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

describe('the weights command, run from src/engine/weights, src/cli and src/setting-kinds.ts alone', () => {
  let tree: string;
  let hub: FakeHub;
  before(async () => {
    tree = await weightsStageTree();
    hub = await new FakeHub({ repo: 'BAAI/bge-m3', revision: REVISION, files: HUB_FILES }).start();
  });
  after(async () => {
    await hub.stop();
    await rm(tree, { recursive: true, force: true });
  });

  it('--help prints the usage with its flags and exits 0', async () => {
    const r = await weightsCommand(tree, ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: npm run weights -- \[--dir DIR\] \[--revision REV\] \[--quiet\]/);
    for (const flag of ['--dir DIR', '--revision REV', '--quiet', 'HF_ENDPOINT', 'BGE_M3_WEIGHTS']) assert.ok(r.stdout.includes(flag), flag);
  });

  it('refuses an unknown flag with exit code 2 and the usage on stderr', async () => {
    const r = await weightsCommand(tree, ['--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--bogus[\s\S]*Usage: npm run weights/);
  });

  it('downloads every file of --revision into --dir with progress lines, then --quiet finds them present and prints nothing', async () => {
    const dir = path.join(tree, 'downloaded');
    const r = await weightsCommand(tree, ['--dir', dir, '--revision', REVISION], { HF_ENDPOINT: hub.hubUrl });
    assert.equal(r.code, 0, r.stderr);
    for (const f of HUB_FILES) assert.ok((await readFile(path.join(dir, f.path))).equals(f.content), f.path);
    assert.match(r.stderr, new RegExp(`(fetching|verifying|done) \\S+ \\[\\d+/${HUB_FILES.length}\\]`), 'a progress line off a terminal');
    assert.ok(r.stderr.includes(`Weights ready in ${dir}: ${HUB_FILES.length} files`), r.stderr);

    const quiet = await weightsCommand(tree, ['--dir', dir, '--revision', REVISION, '--quiet'], { HF_ENDPOINT: hub.hubUrl });
    assert.deepEqual(quiet, { code: 0, stdout: '', stderr: '' });
  });
});
