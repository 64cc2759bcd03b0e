// The int8 weight choice: 8-bit where the CPU's flags show VNNI or AMX, 7-bit
// elsewhere; the override and its refusal; the setup self-test that refuses a
// saturating kernel; and the cache, which never serves one choice for the other.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cpuFeatures, cpuinfoFlags, readCpuFeatures } from '../../../src/engine/onnx/cpu-features.ts';
import { int8CacheDir } from '../../../src/engine/onnx/int8-model-cache.ts';
import { checkInt8Kernel, type KernelRun } from '../../../src/engine/onnx/int8-self-test.ts';
import { chooseInt8Weights } from '../../../src/engine/onnx/int8-weights.ts';
import { setting } from '../../../src/settings.ts';
import { loadPrecision } from '../../../src/engine/onnx/precision.ts';
import { LAYOUTS } from '../../../tools/fixtures/test-model/layouts.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

const NO_VNNI = ['fpu', 'sse2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw'];

test('auto picks 8-bit weights for each VNNI-class flag, 7-bit without one or when the flags are unknown', () => {
  for (const flag of ['avx512_vnni', 'avx_vnni', 'amx_int8']) {
    const c = chooseInt8Weights('auto', cpuFeatures([...NO_VNNI, flag]));
    assert.equal(c.bits, 8, flag);
    assert.match(c.reason, new RegExp(`auto: the CPU has ${flag}`));
  }
  const without = chooseInt8Weights('auto', cpuFeatures(NO_VNNI));
  assert.equal(without.bits, 7);
  assert.match(without.reason, /none of avx512_vnni, avx_vnni, amx_int8.*16 bits/);
  const unknown = chooseInt8Weights('auto', cpuFeatures(null));
  assert.equal(unknown.bits, 7);
  assert.match(unknown.reason, /could not be read/);
});

test('BGE_M3_INT8_WEIGHTS overrides auto either way, and an unknown value is refused with the choices', () => {
  assert.equal(chooseInt8Weights('7bit', cpuFeatures(['avx512_vnni'])).bits, 7);
  const forced = chooseInt8Weights('8bit', cpuFeatures(NO_VNNI));
  assert.equal(forced.bits, 8);
  assert.match(forced.reason, /BGE_M3_INT8_WEIGHTS=8bit; the CPU has no VNNI, so the setup self-test decides/);
  assert.equal(setting('BGE_M3_INT8_WEIGHTS', {}), 'auto');
  assert.equal(setting('BGE_M3_INT8_WEIGHTS', { BGE_M3_INT8_WEIGHTS: '8BIT' }), '8bit');
  assert.throws(() => setting('BGE_M3_INT8_WEIGHTS', { BGE_M3_INT8_WEIGHTS: '8' }), /BGE_M3_INT8_WEIGHTS must be one of auto, 8bit, 7bit, got "8"/);
});

test('CPU flags are read from the flags line on x86 and the Features line on Arm', () => {
  assert.deepEqual(cpuinfoFlags('processor\t: 0\nflags\t\t: fpu avx2 avx512_vnni\n\nprocessor\t: 1\nflags\t\t: fpu\n'), ['fpu', 'avx2', 'avx512_vnni']);
  assert.deepEqual(cpuinfoFlags('processor\t: 0\nFeatures\t: fp asimd asimddp\n'), ['fp', 'asimd', 'asimddp']);
  assert.equal(cpuinfoFlags('model name : something\n'), null);
  assert.deepEqual(cpuFeatures(['avx2', 'amx_int8', 'avx_vnni']).vnni, ['avx_vnni', 'amx_int8']);
});

/** A kernel that adds pairs of products in 16 bits: the worst case comes out saturated (32767 per pair, not 255·127·2). */
const saturating: KernelRun = async () => [
  { y: Float32Array.of(32, 32, 64), expected: 64 },
  { y: Float32Array.of(-64), expected: -64 },
];
const exact: KernelRun = async () => [
  { y: Float32Array.of(64, 64), expected: 64 },
  { y: Float32Array.of(-64), expected: -64 },
];

test('the kernel check finds a saturated product, and passes an exact one', async () => {
  assert.deepEqual(await checkInt8Kernel({}, saturating), { ok: false, got: 32, expected: 64 });
  assert.equal((await checkInt8Kernel({}, exact)).ok, true);
});

async function modelCopy(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bge-int8-weights-'));
  cpSync((await ensureTestModels()).dirs.official, dir, { recursive: true, filter: (src) => !src.includes('.bge-m3-int8') });
  return path.join(dir, LAYOUTS.official.modelPath);
}

test('setup refuses int8 when the self-test saturates, naming the setting to change', async () => {
  const model = await modelCopy();
  await assert.rejects(
    loadPrecision(model, { precision: 'int8', int8Weights: '8bit', cpuFlags: NO_VNNI }, saturating),
    /BGE_M3_INT8_WEIGHTS=8bit is refused: onnxruntime's int8 kernel on this CPU gave 32 instead of 64 .* Unset BGE_M3_INT8_WEIGHTS \(auto\) or set it to 7bit/,
  );
  await assert.rejects(
    loadPrecision(model, { precision: 'int8', cpuFlags: ['avx512_vnni'] }, saturating),
    /int8 is refused: .*8-bit weights \(auto: the CPU has avx512_vnni.* Set BGE_M3_INT8_WEIGHTS=7bit, or run fp32/,
  );
  await assert.rejects(loadPrecision(model, { precision: 'int8', cpuFlags: NO_VNNI }, saturating), /int8 is refused: .*7-bit weights .* Run fp32/);
});

test('the cache records the choice and is rebuilt, not reused, when the choice changes', async () => {
  const model = await modelCopy();
  const manifest = () => JSON.parse(readFileSync(path.join(int8CacheDir(model), 'manifest.json'), 'utf8'));
  const eight = await loadPrecision(model, { precision: 'int8', cpuFlags: ['avx_vnni'] }, exact);
  assert.equal(eight.int8Weights?.bits, 8);
  assert.match(eight.description, /int8 8-bit per-channel weights, quantized now in .*; 8-bit by auto: the CPU has avx_vnni.*; kernel self-test passed\)/);
  assert.deepEqual([manifest().int8Weights.bits, manifest().options.reduceRange], [8, false]);
  const seven = await loadPrecision(model, { precision: 'int8', cpuFlags: NO_VNNI }, exact);
  assert.match(seven.description, /int8 7-bit per-channel weights, quantized now/, 'the 8-bit cache is not served for 7-bit');
  assert.deepEqual([manifest().int8Weights.bits, manifest().options.reduceRange], [7, true]);
  assert.match((await loadPrecision(model, { precision: 'int8', cpuFlags: NO_VNNI }, exact)).description, /7-bit per-channel weights, cached/);
});

test('on this machine: the real kernel never saturates with the weights auto picks, nor with 8-bit weights where the CPU has VNNI', async () => {
  const cpu = readCpuFeatures();
  const auto = chooseInt8Weights('auto', cpu);
  assert.equal((await checkInt8Kernel({ weightType: 'int8', reduceRange: auto.bits === 7 })).ok, true, auto.reason);
  if (cpu.vnni.length)
    assert.equal((await checkInt8Kernel({ weightType: 'int8', reduceRange: false })).ok, true, `VNNI (${cpu.vnni.join(', ')}) adds in 32 bits`);
});
