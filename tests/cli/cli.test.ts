// The command line as a user runs it: a child process, its stdout and exit code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asFloatOutput } from '../../src/api/output-formats.ts';
import { assertRoundTrip } from '../helpers/format-round-trip.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { cli } from '../helpers/run-cli.ts';

test('predict -i prints the output JSON, with inputs coerced as cog predict sends them', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const r = await cli(['predict', '-i', 'texts=["hello world","Привет"]', '-i', 'return_colbert=true', '-i', 'max_length=5', '--weights', weights]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.dense_vecs.length, 2);
  assert.equal(out.colbert_vecs.length, 2);
  assert.ok(out.token_counts.every((n: number) => n <= 5));
  assert.match(r.stderr, /Loaded onnx\/model\.onnx/, 'progress goes to stderr, JSON alone to stdout');
});

test('predict with invalid input exits 2 and says which field and why', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const r = await cli(['predict', '-i', 'texts=hi', '-i', 'max_length=9000'], { BGE_M3_WEIGHTS: weights });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Invalid input: max_length must be at most 8192 \(got number 9000\)/);
});

test('predict -i sparse_format=… -i vector_encoding=… gives the chosen shapes of the same numbers', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const args = ['predict', '-i', 'texts=["3.5% or 5.", "e.g. 中文"]', '-i', 'return_colbert=true', '--weights', weights];
  const plain = await cli(args);
  assert.equal(plain.code, 0, plain.stderr);
  for (const input of [
    { sparse_format: 'tokens', vector_encoding: 'base64' },
    { sparse_format: 'indices_values', vector_encoding: 'float' },
  ]) {
    const r = await cli([...args, '-i', `sparse_format=${input.sparse_format}`, '-i', `vector_encoding=${input.vector_encoding}`]);
    assert.equal(r.code, 0, r.stderr);
    assertRoundTrip(JSON.parse(r.stdout), asFloatOutput(JSON.parse(plain.stdout)), input);
  }
  const bad = await cli([...args, '-i', 'vector_encoding=float16']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /vector_encoding must be one of "float", "base64" \(got "float16"\)/);
});

test('an unknown command prints the usage and exits 2', async () => {
  const r = await cli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command "frobnicate"[\s\S]*Usage: npx tsx cli\.ts <command>/);
});

test('missing weights fail with what to do', async () => {
  const r = await cli(['predict', '-i', 'texts=hi', '--weights', '/nonexistent/bge-m3']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing or empty\. Run `npm run weights`/);
});
