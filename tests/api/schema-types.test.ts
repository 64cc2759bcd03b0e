import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderTypes, typesPath } from '../../tools/schema-types.ts';

test('src/api/schema-types.ts matches schema.json (run `npm run schema:types` after editing the schema)', () => {
  assert.equal(readFileSync(typesPath, 'utf8'), renderTypes());
});
