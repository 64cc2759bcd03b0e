// .dockerignore as Docker reads it, for the packaging tests: one pattern a
// line, `*` within a path segment, `**/` for any folder depth, and `!pattern`
// taking a path back in; the last pattern that matches a path decides.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function readDockerignore(root: string): string[] {
  return readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Whether `rel` (a path relative to the build context, with `/`) is left out of the context. */
export function isIgnored(rel: string, patterns: string[]): boolean {
  let out = false;
  for (const raw of patterns) {
    const keep = raw.startsWith('!');
    const p = keep ? raw.slice(1) : raw;
    if (matcher(p).test(rel)) out = !keep;
  }
  return out;
}

/** Whether a folder must still be walked: not ignored, or holding a path a `!` pattern takes back. */
export function mayHoldIncluded(relDir: string, patterns: string[]): boolean {
  return !isIgnored(relDir, patterns) || patterns.some((p) => p.startsWith(`!${relDir}/`));
}

function matcher(p: string): RegExp {
  const glob = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  // A pattern names a path and everything under it.
  return p.startsWith('**/') ? new RegExp(`(^|/)${glob(p.slice(3))}(/|$)`) : new RegExp(`^${glob(p)}(/|$)`);
}
