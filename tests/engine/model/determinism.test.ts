// Generation is deterministic: a fresh generation in another process gives the
// same bytes as the cached models.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { LAYOUT_NAMES } from '../../../tools/fixtures/test-model/layouts.ts';
import { TOKENIZER_FIXTURE } from '../../../tools/fixtures/test-model/tokenizer-fixture.ts';
import { writeModels } from '../../../tools/fixtures/test-model/write-models.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('test model generation', () => {
  const temp = mkdtempSync(join(tmpdir(), 'test-models-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  it('writes the same bytes every time', async () => {
    const cached = await ensureTestModels();
    writeModels(temp, cached.config, { layouts: LAYOUT_NAMES, tokenizerPath: TOKENIZER_FIXTURE });
    const files = listFiles(cached.root);
    assert.deepEqual(listFiles(temp), files);
    for (const f of files) assert.ok(readFileSync(join(temp, f)).equals(readFileSync(join(cached.root, f))), `${f} differs`);
  });
});
