// The int8 model cache: built once, reused while the sources are the same
// bytes, rebuilt when they or the options change; never half-written.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ensureInt8Model, int8CacheDir } from '../../../src/engine/onnx/int8-model-cache.ts';
import { DEFAULT_QUANTIZE } from '../../../src/engine/onnx/quantize-matmuls.ts';
import { LAYOUTS } from '../../../tools/fixtures/test-model/layouts.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

/** A private copy of the official-layout tiny model (external data in onnx/model.onnx_data). */
async function modelCopy(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bge-int8-cache-'));
  // Without any int8 cache another test may have left in the shared model folder.
  cpSync((await ensureTestModels()).dirs.official, dir, { recursive: true, filter: (src) => !src.includes('.bge-m3-int8') });
  return path.join(dir, LAYOUTS.official.modelPath);
}

function manifest(model: string): { sources: { name: string; mtimeMs: number; sha256: string }[] } {
  return JSON.parse(readFileSync(path.join(int8CacheDir(model), 'manifest.json'), 'utf8'));
}

test('built beside the model on first use, keyed by both source files, and reused after', async () => {
  const model = await modelCopy();
  const first = await ensureInt8Model(model);
  assert.equal(first.reused, false);
  assert.equal(path.dirname(first.modelPath), int8CacheDir(model));
  assert.deepEqual(
    manifest(model).sources.map((s) => s.name),
    ['model.onnx', 'model.onnx_data'],
  );
  const session = await ort.InferenceSession.create(first.modelPath, { intraOpNumThreads: 1 });
  assert.deepEqual(session.outputNames, ['token_embeddings', 'sentence_embedding']);
  await session.release();
  const second = await ensureInt8Model(model);
  assert.equal(second.reused, true);
  assert.deepEqual(second.result, first.result);
});

test('a touched source (same bytes, new mtime) is hashed once and the cache kept; changed bytes of the same size rebuild it', async () => {
  const model = await modelCopy();
  await ensureInt8Model(model);
  const data = path.join(path.dirname(model), 'model.onnx_data');
  const later = new Date(statSync(data).mtimeMs + 60_000);
  utimesSync(data, later, later);
  assert.equal((await ensureInt8Model(model)).reused, true);
  assert.equal(manifest(model).sources[1].mtimeMs, statSync(data).mtimeMs, 'the new mtime is recorded, so the next start skips the hash');

  const recorded = manifest(model).sources[1];
  const bytes = readFileSync(data);
  bytes[bytes.length - 1] ^= 0x40;
  writeFileSync(data, bytes);
  assert.equal(statSync(data).size, bytes.length);
  const rebuilt = await ensureInt8Model(model);
  assert.equal(rebuilt.reused, false);
  assert.notEqual(manifest(model).sources[1].sha256, recorded.sha256);
});

test('other quantization options rebuild the cache', async () => {
  const model = await modelCopy();
  await ensureInt8Model(model);
  assert.equal((await ensureInt8Model(model, { ...DEFAULT_QUANTIZE, perChannel: false })).reused, false);
  assert.equal((await ensureInt8Model(model, { ...DEFAULT_QUANTIZE, perChannel: false })).reused, true);
});

test('concurrent first uses each get a complete model and leave no temporary directory behind', async () => {
  const model = await modelCopy();
  const all = await Promise.all([ensureInt8Model(model), ensureInt8Model(model), ensureInt8Model(model)]);
  for (const r of all) assert.equal(r.modelPath, path.join(int8CacheDir(model), 'model.onnx'));
  const session = await ort.InferenceSession.create(all[0].modelPath, { intraOpNumThreads: 1 });
  await session.release();
  assert.deepEqual(readdirSync(path.dirname(int8CacheDir(model))), ['model']);
});
