// The repository stands on its own: a clone on a user's machine has no team
// notebook beside it, so no file may read or link outside the project.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Built from parts so this file does not match itself.
const OUTSIDE = new RegExp(['(?:\\.\\./)+', 'shared\\b', '|/work/', 'shared\\b'].join(''));

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
}

test('no tracked file reads or points into a folder beside the repository', () => {
  const offenders: string[] = [];
  for (const file of trackedFiles()) {
    const bytes = readFileSync(`${ROOT}/${file}`);
    if (bytes.includes(0)) continue; // binary
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (OUTSIDE.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  assert.deepEqual(offenders, []);
});

test('the published reference fixtures are inside the project', () => {
  const ref = JSON.parse(readFileSync(new URL('../fixtures/reference/bge-m3-lite.embeddings_ref.json', import.meta.url), 'utf8'));
  assert.equal(ref.sentences.length, 11);
  assert.equal(ref.lexical_weights.length, 11);
});
