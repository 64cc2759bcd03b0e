// `cli.ts calibrate`: the user's own texts (lines or JSONL) make the calibration
// the weights then serve; the same set again is reused from the cache; a file
// without texts is refused with exit code 2.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { CALIBRATION_FILE } from '../../src/api/calibration.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { cli } from '../helpers/run-cli.ts';

test('calibrate --input FILE makes the calibration the Predictor then uses', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'calibrate-cli-'));
  const weights = path.join(dir, 'weights');
  cpSync((await ensureTestModels()).dirs.official, weights, { recursive: true });
  const lines = path.join(dir, 'texts.txt');
  writeFileSync(lines, 'first text\nsecond text\n');
  const jsonl = path.join(dir, 'texts.jsonl');
  writeFileSync(jsonl, '{"text": "first text"}\n{"text": "second text"}\n');

  const a = await cli(['calibrate', '--input', lines, '--weights', weights]);
  assert.equal(a.code, 0, a.stderr);
  const made = JSON.parse(a.stdout);
  assert.deepEqual(made.set, { name: 'texts.txt', texts: 2, sha256: made.set.sha256 });
  assert.match(a.stderr, /calibration [0-9a-f]{8} from 2 texts/);
  assert.equal(JSON.parse(readFileSync(path.join(weights, CALIBRATION_FILE), 'utf8')).hash, made.hash);

  // The same texts as JSONL are the same set: the cached calibration, nothing embedded.
  const b = await cli(['calibrate', '--input', jsonl, '--weights', weights]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(b.stdout).hash, made.hash);
  assert.doesNotMatch(b.stderr, /from 2 texts/);

  const p = new Predictor();
  await p.setup({ weights, log: () => {} });
  try {
    assert.equal((await p.predict({ texts: ['x'], vector_type: 'int8' })).calibration, made.hash);
  } finally {
    await p.close();
  }

  const empty = path.join(dir, 'empty.txt');
  writeFileSync(empty, '\n\n');
  const c = await cli(['calibrate', '--input', empty, '--weights', weights]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /holds no texts/);
});
