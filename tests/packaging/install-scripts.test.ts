// The install runs no dependency's install script (.npmrc: ignore-scripts=true,
// which npm 10 and npm 11 both honour without a warning), so each such script
// must have been reviewed: every installed package with one has an entry in
// package.json "allowScripts" (npm 11's record of that review), and no entry is
// stale. Also checked: onnxruntime-node came without CUDA libraries but with its
// CPU binding, and package.json has no hook that ignore-scripts would skip.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; allowScripts?: Record<string, boolean> };

/** Names of the packages under a node_modules folder (nested ones too) that npm would run an install step for. */
function packagesWithInstallScripts(nodeModules: string, found = new Set<string>()): Set<string> {
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      packagesWithInstallScripts(dir, found);
      continue;
    }
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
    // npm runs `node-gyp rebuild` for a binding.gyp when the package names no install script.
    if (scripts.preinstall || scripts.install || scripts.postinstall || existsSync(join(dir, 'binding.gyp'))) found.add(name);
    if (existsSync(join(dir, 'node_modules'))) packagesWithInstallScripts(join(dir, 'node_modules'), found);
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

test('.npmrc keeps dependency install scripts from running', () => {
  const settings = readFileSync(join(ROOT, '.npmrc'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith(';'));
  assert.ok(settings.includes('ignore-scripts=true'), settings.join('\n'));
});

test('every installed package with an install script is reviewed in package.json allowScripts, and no entry is stale', () => {
  const reviewed = Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(?<=.)@.*$/, ''));
  assert.deepEqual([...new Set(reviewed)].sort(), [...packagesWithInstallScripts(join(ROOT, 'node_modules'))].sort());
});

test('onnxruntime-node is installed with its CPU binding and without CUDA libraries', () => {
  const files = filesUnder(join(ROOT, 'node_modules/onnxruntime-node/bin'));
  assert.ok(files.includes('onnxruntime_binding.node'), 'the CPU binding ships in the package');
  assert.deepEqual(
    files.filter((f) => /cuda|tensorrt|cudnn|cublas/i.test(f)),
    [],
  );
});

test('package.json has no script that npm would run on its own (ignore-scripts would skip it)', () => {
  assert.deepEqual(
    Object.keys(pkg.scripts ?? {}).filter((name) => /^(pre|post)/.test(name) || name === 'install'),
    [],
  );
});
