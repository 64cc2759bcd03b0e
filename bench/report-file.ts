// Writes a generated section into BENCHMARKS.md between its markers, keeping
// every other part of the file (the hand-written findings) as it is.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './model-cache.ts';

export const BENCHMARKS_MD = path.join(REPO_ROOT, 'BENCHMARKS.md');

export function replaceSection(name: string, content: string, file = BENCHMARKS_MD): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${content.trim()}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = old.indexOf(start);
  const to = old.indexOf(end);
  const next = from >= 0 && to > from ? old.slice(0, from) + block + old.slice(to + end.length) : `${old.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
