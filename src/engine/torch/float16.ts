// IEEE 754 binary16 and bfloat16 bit conversions, done on integer bits so that
// rounding (round-to-nearest-even), subnormals, infinities, NaN and -0 are exact.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** 2^(e-25) for the 5-bit exponent field e, so a normal half is (1024 + mantissa) * HALF_SCALE[e]. */
const HALF_SCALE = Float64Array.from({ length: 32 }, (_, e) => 2 ** (e - 25));
const HALF_SUBNORMAL_UNIT = 2 ** -24;

/** Decodes one binary16 bit pattern (0..0xffff) to its exact numeric value. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * HALF_SUBNORMAL_UNIT;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (mantissa | 0x400) * HALF_SCALE[exponent];
}

/** Encodes a number as binary16 bits, first narrowing to float32, then rounding to nearest, ties to even. */
export function numberToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return mantissa ? sign | 0x7e00 | (mantissa >>> 13) : sign | 0x7c00;
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) return sign | roundSubnormal(mantissa | 0x800000, 14 - halfExponent);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | roundShift((halfExponent << 23) | mantissa, 13);
}

function roundSubnormal(significand: number, shift: number): number {
  return shift > 24 ? 0 : roundShift(significand, shift);
}

/** value >>> shift, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return rest > halfway || (rest === halfway && kept & 1) ? kept + 1 : kept;
}

/** Decodes one bfloat16 bit pattern: the top 16 bits of a float32. */
export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}
