// encodeLinearPt: round trip through our reader, torch's layout, and (when Debian's
// torch is installed) acceptance by real torch.load + nn.Linear.load_state_dict.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readLinearPt } from '../../../src/engine/torch/linear-pt.ts';
import { readStoredZip } from '../../../src/engine/torch/zip-reader.ts';
import { encodeLinearPt, roundToFloat16 } from '../../../tools/fixtures/torch/linear-pt-writer.ts';
import { assertSameFloat32, float32Bits, seededFloats } from '../../helpers/torch/fixtures.ts';

const SPECIALS = [NaN, Infinity, -Infinity, -0, 2 ** -24, -(2 ** -20), 65504, 70000, 1e-9];

function sample(outFeatures: number, inFeatures: number, seed: number) {
  const weight = seededFloats(outFeatures * inFeatures, seed, 2);
  weight.set(SPECIALS.slice(0, weight.length));
  return { weight, bias: seededFloats(outFeatures, seed + 1, 0.5), outFeatures, inFeatures };
}

test('float16 files read back as the float16-rounded values', () => {
  const s = sample(5, 7, 1);
  const got = readLinearPt(encodeLinearPt(s.weight, s.bias, 5, 7, 'float16'), 'written.pt');
  assert.equal(got.outFeatures, 5);
  assert.equal(got.inFeatures, 7);
  assertSameFloat32(got.weight, float32Bits(roundToFloat16(s.weight)), 'weight');
  assertSameFloat32(got.bias, float32Bits(roundToFloat16(s.bias)), 'bias');
});

test('float32 files read back exactly', () => {
  const s = sample(3, 16, 2);
  const got = readLinearPt(encodeLinearPt(s.weight, s.bias, 3, 16, 'float32'), 'written.pt');
  assertSameFloat32(got.weight, float32Bits(s.weight), 'weight');
  assertSameFloat32(got.bias, float32Bits(s.bias), 'bias');
});

test('a sparse-head-shaped Linear(1024 -> 1) round trips', () => {
  const s = sample(1, 1024, 3);
  const got = readLinearPt(encodeLinearPt(s.weight, s.bias, 1, 1024, 'float16'), 'sparse_linear.pt');
  assert.equal(got.weight.length, 1024);
  assertSameFloat32(got.weight, float32Bits(roundToFloat16(s.weight)), 'weight');
});

test("the archive has torch's records, with every record's data 64-byte aligned", () => {
  const s = sample(2, 3, 4);
  const entries = readStoredZip(encodeLinearPt(s.weight, s.bias, 2, 3, 'float16'), 'written.pt');
  assert.deepEqual([...entries.keys()].sort(), ['archive/byteorder', 'archive/data.pkl', 'archive/data/0', 'archive/data/1', 'archive/version']);
  for (const [name, data] of entries) assert.equal(data.byteOffset % 64, 0, `${name} starts at ${data.byteOffset}`);
  assert.equal(entries.get('archive/data/0')!.length, 2 * 6);
  assert.equal(new TextDecoder().decode(entries.get('archive/byteorder')), 'little');
});

test('mismatched lengths and bad feature counts are rejected', () => {
  const w = new Float32Array(6);
  assert.throws(() => encodeLinearPt(w, new Float32Array(2), 3, 2, 'float16'), /bias has 2 values but outFeatures is 3/);
  assert.throws(() => encodeLinearPt(w, new Float32Array(2), 2, 2, 'float16'), /weight has 6 values but \[2, 2\] needs 4/);
  assert.throws(() => encodeLinearPt(new Float32Array(0), new Float32Array(0), 0, 2, 'float32'), /outFeatures must be a positive integer/);
});

const PYTHON = '/usr/bin/python3';
const torchMissing = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0;
const skipTorch = torchMissing ? `real torch not available (${PYTHON} -c 'import torch' failed; apt-get install python3-torch)` : false;

test('real torch.load reads our files and nn.Linear.load_state_dict accepts them', { skip: skipTorch }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'linear-pt-'));
  try {
    const s = sample(4, 6, 5);
    const files = { float16: join(dir, 'half.pt'), float32: join(dir, 'float.pt') } as const;
    for (const [dtype, path] of Object.entries(files)) {
      writeFileSync(path, encodeLinearPt(s.weight, s.bias, 4, 6, dtype as 'float16' | 'float32'));
    }
    const oracle = fileURLToPath(new URL('../../helpers/torch/torch-load-oracle.py', import.meta.url));
    const run = spawnSync(PYTHON, [oracle, files.float16, files.float32], { encoding: 'utf8' });
    assert.equal(run.status, 0, `torch.load failed:\n${run.stderr}`);
    const seen = JSON.parse(run.stdout);
    for (const [dtype, path] of Object.entries(files)) {
      const file = seen[path];
      assert.equal(file.type, 'OrderedDict');
      assert.deepEqual(file.keys, ['weight', 'bias']);
      assert.equal(file.dtype, dtype);
      assert.deepEqual([file.weightShape, file.biasShape, file.contiguous], [[4, 6], [4], true]);
      const round = dtype === 'float16' ? roundToFloat16 : (x: Float32Array) => x;
      assertSameFloat32(new Float32Array(new Uint32Array(file.weightBits).buffer), float32Bits(round(s.weight)), `${dtype} weight`);
      assertSameFloat32(new Float32Array(new Uint32Array(file.biasBits).buffer), float32Bits(round(s.bias)), `${dtype} bias`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
