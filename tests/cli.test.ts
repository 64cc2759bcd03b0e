// The command line as a user runs it: a child process, its stdout and exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTestModels } from './helpers/test-models.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

test('predict -i prints the output JSON, with inputs coerced as cog predict sends them', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const r = await cli(['predict', '-i', 'texts=["hello world","Привет"]', '-i', 'return_colbert=true', '-i', 'max_length=5', '--weights', weights]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.dense_vecs.length, 2);
  assert.equal(out.colbert_vecs.length, 2);
  assert.ok(out.token_counts.every((n: number) => n <= 5));
  assert.match(r.stderr, /Loaded onnx\/model\.onnx/, 'progress goes to stderr, JSON alone to stdout');
});

test('predict with invalid input exits 2 and says which field and why', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const r = await cli(['predict', '-i', 'texts=hi', '-i', 'max_length=9000'], { BGE_M3_WEIGHTS: weights });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Invalid input: max_length must be at most 8192 \(got number 9000\)/);
});

test('an unknown command prints the usage and exits 2', async () => {
  const r = await cli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command "frobnicate"[\s\S]*Usage: npx tsx cli\.ts <command>/);
});

test('missing weights fail with what to do', async () => {
  const r = await cli(['predict', '-i', 'texts=hi', '--weights', '/nonexistent/bge-m3']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing or empty\. Run `npm run weights`/);
});
