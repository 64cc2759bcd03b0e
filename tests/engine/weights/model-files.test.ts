import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';

async function dirWith(files: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-files-'));
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await writeFile(path.join(dir, f), 'x');
  }
  return dir;
}

test('the official BAAI/bge-m3 repo layout: onnx/model.onnx, heads at the root', async () => {
  const dir = await dirWith([
    'onnx/model.onnx',
    'onnx/model.onnx_data',
    'onnx/Constant_7_attr__value',
    'onnx/tokenizer.json',
    'tokenizer.json',
    'sparse_linear.pt',
    'colbert_linear.pt',
    'sentencepiece.bpe.model',
  ]);
  const f = await findModelFiles(dir);
  assert.equal(f.model, path.join(dir, 'onnx/model.onnx'));
  assert.equal(f.tokenizer, path.join(dir, 'onnx/tokenizer.json'), 'the tokenizer beside the model wins');
  assert.equal(f.sparseHead, path.join(dir, 'sparse_linear.pt'));
  assert.equal(f.colbertHead, path.join(dir, 'colbert_linear.pt'));
});

test('an export with another model name and no heads', async () => {
  const dir = await dirWith(['bge_m3_model.onnx', 'bge_m3_model.onnx_data', 'bge_m3_tokenizer.onnx', 'tokenizer.json']);
  const f = await findModelFiles(dir);
  assert.equal(f.model, path.join(dir, 'bge_m3_model.onnx'));
  assert.equal(f.sparseHead, undefined);
});

test('a single oddly named model is taken; quantized variants are not', async () => {
  const dir = await dirWith(['my-export.onnx', 'model_quantized.onnx', 'tokenizer.json']);
  assert.equal((await findModelFiles(dir)).model, path.join(dir, 'my-export.onnx'));
});

test('a missing or empty directory says how to get weights', async () => {
  await assert.rejects(findModelFiles('/nonexistent/weights'), /missing or empty.*npm run weights.*BGE_M3_WEIGHTS.*npm run demo/s);
  await assert.rejects(findModelFiles(await dirWith([])), /missing or empty/);
});

test('no model, no tokenizer, or several models: each named in the error', async () => {
  await assert.rejects(findModelFiles(await dirWith(['tokenizer.json', 'README.md'])), /No ONNX model in .*found: README\.md, tokenizer\.json/);
  await assert.rejects(findModelFiles(await dirWith(['model.onnx'])), /No tokenizer\.json in .*found: model\.onnx/);
  await assert.rejects(findModelFiles(await dirWith(['a.onnx', 'b.onnx', 'tokenizer.json'])), /Several ONNX models .*a\.onnx, b\.onnx/);
});
