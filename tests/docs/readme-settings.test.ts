// The README's configuration table is generated from src/settings.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readmePath } from '../../tools/readme-schema.ts';
import { withSettingsTable } from '../../tools/readme-settings.ts';
import { SETTINGS } from '../../src/settings.ts';

const readme = readFileSync(readmePath, 'utf8');

test("README's configuration table matches src/settings.ts (run `npm run readme` after editing the table)", () => {
  assert.equal(readme, withSettingsTable(readme));
});

test('the table lists every user setting, one row each, and no internal one', () => {
  const rows = [...readme.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1]);
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const count = rows.filter((r) => r === name).length;
    assert.equal(count, 'internal' in spec ? 0 : 1, name);
  }
});
