// The demo generates its model with development files (tools/fixtures,
// tests/fixtures); where they are absent, it says so instead of crashing on
// a module it cannot find, and the other commands do not load them at all.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The project's runtime files and nothing of tools/ or tests/.
const dir = mkdtempSync(path.join(tmpdir(), 'demo-outside-checkout-'));
for (const f of ['package.json', 'tsconfig.json', 'cog.yaml', 'schema.json', 'predict.ts', 'cli.ts', 'src', 'web'])
  cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli.ts', ...args], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

test('without tools/fixtures, --help works and demo fails saying it needs a development checkout', async () => {
  assert.ok(!readdirSync(dir).includes('tools'));
  const help = await cli(['--help']);
  assert.equal(help.code, 0, help.output);
  const demo = await cli(['demo', '--port', '0']);
  assert.equal(demo.code, 1, demo.output);
  assert.match(demo.output, /The demo cannot start: its model generator is missing .*development checkout/);
  assert.doesNotMatch(demo.output, /\n\s+at /, 'a message, not a stack trace');
});
