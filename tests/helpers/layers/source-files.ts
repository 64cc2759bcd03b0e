// The repo's code files under the given folders and files, with repo-relative
// '/' paths, as check-layers.ts takes them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from './check-layers.ts';

const CODE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

export function readSourceFiles(root: string, entries: readonly string[]): SourceFile[] {
  const paths: string[] = [];
  for (const entry of entries) {
    if (!statSync(path.join(root, entry)).isDirectory()) paths.push(entry);
    else
      for (const rel of readdirSync(path.join(root, entry), { recursive: true, encoding: 'utf8' }))
        paths.push(path.posix.join(entry, rel.split(path.sep).join('/')));
  }
  return paths
    .filter((p) => CODE.test(p) && !p.split('/').includes('node_modules') && statSync(path.join(root, p)).isFile())
    .sort()
    .map((p) => ({ path: p, text: readFileSync(path.join(root, p), 'utf8') }));
}
