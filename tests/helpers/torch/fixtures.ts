// Shared helpers for the torch .pt tests: the real-torch fixtures and their oracle.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/torch/', import.meta.url));

export interface ExpectedLinear {
  dtype: string;
  outFeatures: number;
  inFeatures: number;
  weightBits: number[];
  biasBits: number[];
}
export interface ExpectedFile {
  torch: string;
  files: Record<string, ExpectedLinear>;
}

export function fixturePath(name: string): string {
  return FIXTURE_DIR + name;
}
export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}
export function expectedFixtures(): ExpectedFile {
  return JSON.parse(readFileSync(fixturePath('expected.json'), 'utf8')) as ExpectedFile;
}

export function float32Bits(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

function isNaNBits(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
}

/** Bit-exact comparison (so -0 and 0 differ), except that any NaN matches any NaN. */
export function assertSameFloat32(actual: Float32Array, expectedBits: number[], label: string): void {
  assert.equal(actual.length, expectedBits.length, `${label}: length`);
  const actualBits = float32Bits(actual);
  for (let i = 0; i < expectedBits.length; i++) {
    if (isNaNBits(expectedBits[i])) assert.ok(Number.isNaN(actual[i]), `${label}[${i}] should be NaN, got ${actual[i]}`);
    else assert.equal(actualBits[i], expectedBits[i], `${label}[${i}]: got ${actual[i]}`);
  }
}

/** Deterministic pseudo-random floats in [-scale, scale) (mulberry32), for writer round trips. */
export function seededFloats(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}
