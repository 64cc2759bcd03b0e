import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readmePath, withTables } from '../../tools/readme-schema.ts';

const readme = readFileSync(readmePath, 'utf8');

test("README's inputs and outputs tables match schema.json (run `npm run readme` after editing the schema)", () => {
  assert.equal(readme, withTables(readme));
});

test('README holds the install-and-start command and the test command that CI runs', () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm ci && npm test/);
  const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  assert.match(ci, /npm ci\b.*\n(.*\n)*npm test/);
});
