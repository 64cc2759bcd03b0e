import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFloat32Base64, encodeFloat32Base64 } from '../../src/api/vector-encoding.ts';

test('base64 vectors are little-endian float32 bytes (hand-computed)', () => {
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 in little-endian order.
  assert.equal(encodeFloat32Base64([1, -2]), Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
  assert.equal(encodeFloat32Base64([]), '');
});

test('a float32 vector round-trips exactly', () => {
  const v = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * 1.7) / (i + 1));
  assert.deepEqual(decodeFloat32Base64(encodeFloat32Base64(v)), v);
});

test('a Float32Array view encodes only its own elements, as the same bytes as a plain array', () => {
  const whole = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
  const row = whole.subarray(4, 8);
  assert.equal(encodeFloat32Base64(row), encodeFloat32Base64(Array.from(row)));
  assert.deepEqual(decodeFloat32Base64(encodeFloat32Base64(row)), row);
});

test('a float64 value comes back as its nearest float32', () => {
  assert.equal(decodeFloat32Base64(encodeFloat32Base64([0.1]))[0], Math.fround(0.1));
});

test('a string that is not whole float32s is refused', () => {
  assert.throws(() => decodeFloat32Base64(Buffer.from([1, 2, 3]).toString('base64')), /not a whole number of float32s/);
});
