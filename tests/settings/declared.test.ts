// Every environment variable the product reads is declared in src/settings.ts
// and read through setting(): the source of src/, predict.ts and cli.ts is
// scanned, so a new read that bypasses the table, or a message or help text
// naming an undeclared variable, fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../src/settings.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where process.env may be read: the table's reader and the parser it is built on. */
const READERS = ['src/settings.ts', 'src/setting-kinds.ts'];

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

const SOURCES = ['predict.ts', 'cli.ts', ...filesUnder('src', (n) => n.endsWith('.ts'))].sort();
const text = new Map(SOURCES.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
const declared = new Set(Object.keys(SETTINGS));

/** Names shaped like this product's variables: Cog's, ours, the Hub's, the server's well-known ones. */
const VARIABLE_LIKE = /\b(?:(?:BGE_M3|COG|HF|HUGGING_FACE|API_KEYS|METRICS|CORS|WEBHOOK|KUBERNETES|JOB)_[A-Z0-9_]*[A-Z0-9]|API_KEYS|PORT|HOST)\b/g;
/** Upper-case names the code declares itself (constants, types), which are not variables. */
const CODE_NAME = /\b(?:const|let|var|function|class|enum|type|interface)\s+([A-Z][A-Z0-9_]+)\b/g;
const SETTING_READ = /\b(?:setting|explicitSetting|weightsSetting)\(\s*'([^']+)'/g;

test('only the settings reader touches process.env', () => {
  const touching = SOURCES.filter((f) => !READERS.includes(f) && /process\.env\b/.test(text.get(f)!));
  assert.deepEqual(touching, []);
});

test('no module reads a variable off an environment object itself', () => {
  const reads = SOURCES.filter((f) => !READERS.includes(f)).flatMap((f) =>
    [...text.get(f)!.matchAll(/\benv(?:\?\.|\.|\[)\s*['"]?[A-Za-z_]\w*/g)].map((m) => `${f}: ${m[0]}`),
  );
  assert.deepEqual(reads, [], 'read it with setting(NAME, env) from src/settings.ts');
});

test('every variable the code reads or names is in the table', () => {
  const codeNames = new Set(SOURCES.flatMap((f) => [...text.get(f)!.matchAll(CODE_NAME)].map((m) => m[1])));
  const undeclared = new Set<string>();
  for (const f of SOURCES) {
    for (const m of text.get(f)!.matchAll(SETTING_READ)) if (!declared.has(m[1])) undeclared.add(`${f}: ${m[1]}`);
    for (const [name] of text.get(f)!.matchAll(VARIABLE_LIKE)) {
      if (!declared.has(name) && !codeNames.has(name)) undeclared.add(`${f}: ${name}`);
    }
  }
  assert.deepEqual([...undeclared], [], 'declare them in src/settings.ts (or, if a name is no variable, rename it)');
});

test('every variable in the table is read somewhere', () => {
  const read = new Set(SOURCES.flatMap((f) => [...text.get(f)!.matchAll(SETTING_READ)].map((m) => m[1])));
  assert.deepEqual(
    [...declared].filter((name) => !read.has(name)),
    [],
  );
});

test('the deployment files set only variables the table declares', () => {
  const deployFiles = ['Dockerfile', 'cog.yaml', ...filesUnder('deploy', (n) => /\.(ya?ml|env)$/.test(n))];
  const unknown = deployFiles.flatMap((f) =>
    [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(VARIABLE_LIKE)]
      .map((m) => m[0])
      .filter((n) => !declared.has(n))
      .map((n) => `${f}: ${n}`),
  );
  assert.deepEqual(unknown, []);
});
