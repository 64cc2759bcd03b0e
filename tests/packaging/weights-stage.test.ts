// The Docker image's weights stage copies only the downloader's own files, so
// that editing the app does not re-download 2.3 GB. Those files must still be
// all the command it runs imports: every relative import reachable from it is
// among the stage's COPY sources.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { copyPaths, parseDockerfile, type Instruction } from '../../tools/docker/dockerfile.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function weightsStage(): Instruction[] {
  const all = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const start = all.findIndex((i) => i.keyword === 'FROM' && /\sAS\s+weights$/i.test(i.args));
  assert.ok(start >= 0, 'a stage named weights');
  const end = all.findIndex((i, n) => n > start && i.keyword === 'FROM');
  return all.slice(start + 1, end < 0 ? undefined : end);
}

/** Project files `file` imports (relative specifiers), and theirs, transitively. */
function importClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    importClosure(path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1])), seen);
  }
  return seen;
}

test('the weights stage copies every project file its command imports', () => {
  const stage = weightsStage();
  const sources = stage.filter((i) => i.keyword === 'COPY' && !i.flags.from).flatMap((i) => copyPaths(i.args).sources);
  const run = stage.filter((i) => i.keyword === 'RUN').map((i) => /node --import tsx (\S+\.ts)/.exec(i.args)?.[1]).find(Boolean);
  assert.ok(run && existsSync(path.join(ROOT, run)), `the stage runs a TypeScript file of the project (${run})`);
  const copied = (file: string) => sources.some((s) => file === s || file.startsWith(s.replace(/\/?$/, '/')));
  const missing = [...importClosure(run)].filter((f) => !copied(f));
  assert.deepEqual(missing, [], 'COPY these into the weights stage, or keep the downloader from importing them');
});
