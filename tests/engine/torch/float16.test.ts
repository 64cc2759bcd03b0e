// binary16 / bfloat16 conversions: exact IEEE values, round-to-nearest-even,
// subnormals, infinities, NaN and negative zero.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bfloat16BitsToNumber, float16BitsToNumber, numberToFloat16Bits } from '../../../src/engine/torch/float16.ts';
import { roundToFloat16 } from '../../../tools/fixtures/torch/linear-pt-writer.ts';

const isNaNHalf = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;

/** The float32 values just above and just below x. */
function float32Neighbours(x: number): [number, number] {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  const up = new Float32Array(new Uint32Array([x >= 0 ? u[0] + 1 : u[0] - 1]).buffer)[0];
  const down = new Float32Array(new Uint32Array([x > 0 ? u[0] - 1 : u[0] + 1]).buffer)[0];
  return [down, up];
}

test('binary16 decodes to the IEEE 754 values', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0xfbff, -65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x3bff, 1 - 2 ** -11],
    [0x3c01, 1 + 2 ** -10],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  for (const [bits, value] of cases) assert.equal(float16BitsToNumber(bits), value, `0x${bits.toString(16)}`);
  assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
  for (const bits of [0x7c01, 0x7e00, 0x7fff, 0xfe00]) assert.ok(Number.isNaN(float16BitsToNumber(bits)));
});

test('binary16 decoding is strictly increasing over all finite non-negative patterns', () => {
  for (let bits = 1; bits <= 0x7c00; bits++) {
    assert.ok(float16BitsToNumber(bits) > float16BitsToNumber(bits - 1), `0x${bits.toString(16)}`);
    assert.ok(Object.is(float16BitsToNumber(bits | 0x8000), -float16BitsToNumber(bits)), `negative 0x${bits.toString(16)}`);
  }
});

test('every binary16 value encodes back to its own bits (NaN to some NaN)', () => {
  for (let bits = 0; bits <= 0xffff; bits++) {
    const back = numberToFloat16Bits(float16BitsToNumber(bits));
    if (isNaNHalf(bits)) assert.ok(isNaNHalf(back), `NaN 0x${bits.toString(16)} -> 0x${back.toString(16)}`);
    else assert.equal(back, bits, `0x${bits.toString(16)}`);
  }
});

test('rounds to nearest, ties to even, between every pair of adjacent finite halves', () => {
  for (let low = 0; low < 0x7bff; low++) {
    for (const sign of [0, 0x8000]) {
      const a = float16BitsToNumber(low | sign);
      const b = float16BitsToNumber((low + 1) | sign);
      const middle = (a + b) / 2;
      const [below, above] = float32Neighbours(middle)
        .map(Math.abs)
        .sort((x, y) => x - y)
        .map((m) => (sign ? -m : m));
      const even = low % 2 === 0 ? low : low + 1;
      assert.equal(numberToFloat16Bits(middle), even | sign, `tie between 0x${low.toString(16)} and its successor`);
      assert.equal(numberToFloat16Bits(below), low | sign, `just below the tie after 0x${low.toString(16)}`);
      assert.equal(numberToFloat16Bits(above), (low + 1) | sign, `just above the tie after 0x${low.toString(16)}`);
    }
  }
});

test('overflow goes to infinity and underflow to signed zero, at the IEEE thresholds', () => {
  assert.equal(numberToFloat16Bits(65519.99), 0x7bff);
  assert.equal(numberToFloat16Bits(65520), 0x7c00); // the tie above 65504 rounds to even: infinity
  assert.equal(numberToFloat16Bits(1e9), 0x7c00);
  assert.equal(numberToFloat16Bits(-1e9), 0xfc00);
  assert.equal(numberToFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
  assert.equal(numberToFloat16Bits(-(2 ** -25)), 0x8000);
  assert.equal(numberToFloat16Bits(float32Neighbours(2 ** -25)[1]), 0x0001);
  assert.equal(numberToFloat16Bits(1e-30), 0x0000);
  assert.equal(numberToFloat16Bits(-0), 0x8000);
});

test('roundToFloat16 keeps NaN, infinities and negative zero and rounds like binary16', () => {
  const input = Float32Array.from([NaN, Infinity, -Infinity, -0, 0, 70000, 1e-8, 6e-8, 0.1, -2.5, 65504]);
  const out = roundToFloat16(input);
  assert.ok(Number.isNaN(out[0]));
  assert.deepEqual(Array.from(out.slice(1)), [Infinity, -Infinity, -0, 0, Infinity, 0, 2 ** -24, 0.0999755859375, -2.5, 65504]);
  assert.ok(Object.is(out[3], -0));
  assert.equal(out.length, input.length);
});

test('bfloat16 decodes to the IEEE values of the top half of a float32', () => {
  const cases: [number, number][] = [
    [0x3f80, 1],
    [0xc000, -2],
    [0x4049, 3.140625],
    [0x7f7f, 3.3895313892515355e38],
    [0x0080, 2 ** -126],
    [0x0001, 2 ** -133],
    [0x7f80, Infinity],
    [0xff80, -Infinity],
    [0x0000, 0],
  ];
  for (const [bits, value] of cases) assert.equal(bfloat16BitsToNumber(bits), value, `0x${bits.toString(16)}`);
  assert.ok(Object.is(bfloat16BitsToNumber(0x8000), -0));
  assert.ok(Number.isNaN(bfloat16BitsToNumber(0x7fc0)));
});
