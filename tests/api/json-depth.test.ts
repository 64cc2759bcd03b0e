// Nesting depth of JSON, measured on the parsed value and on the raw bytes
// (before JSON.parse, which is slow on deep input): both must agree, on where
// the limit is passed and on the path they report, escapes and all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathDeeperThan, rawJsonDeeperThan } from '../../src/api/json-depth.ts';

/** A seeded generator of JSON values with nesting up to `maxDepth` and awkward strings. */
function generate(seed: number, maxDepth: number): unknown {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const strings = ['', 'a', '"', '\\', '\\"', '[[{', '}]', 'é€𝄞', 'x'.repeat(40) + '"' + '\\'.repeat(3), '\u0000\n'];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth >= maxDepth || r < 0.3) return r < 0.15 ? strings[Math.floor(rand() * strings.length)] : Math.floor(rand() * 100);
    if (r < 0.65) return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) => [strings[Math.floor(rand() * strings.length)] + i, value(depth + 1)]),
    );
  };
  return value(0);
}

test('the byte scan agrees with the walk over the parsed value, path included', () => {
  let deep = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const v = generate(seed, 12);
    const text = JSON.stringify(v, null, seed % 3 === 0 ? 1 : undefined);
    for (const limit of [1, 2, 4, 8]) {
      const parsed = pathDeeperThan(v, limit);
      const raw = rawJsonDeeperThan(Buffer.from(text), limit);
      assert.equal(raw === undefined, parsed === undefined, `seed ${seed}, limit ${limit}: ${text}`);
      if (parsed) {
        deep++;
        assert.deepEqual(raw, parsed.slice(0, 3), `seed ${seed}, limit ${limit}: ${text}`);
      }
    }
  }
  assert.ok(deep > 100, 'the generator reaches past the limits');
});

test('paths name the keys and indexes of the first three levels', () => {
  const body = '{"input":{"texts":["a","[[[[[[","\\"[["],"x":' + '['.repeat(100) + ']'.repeat(100) + '}}';
  assert.deepEqual(rawJsonDeeperThan(Buffer.from(body), 64), ['input', 'x', 0]);
  assert.deepEqual(pathDeeperThan(JSON.parse(body), 64)!.slice(0, 3), ['input', 'x', 0]);
  assert.deepEqual(rawJsonDeeperThan(Buffer.from('[1,[2],{"k\\"ey":' + '['.repeat(70) + ']'.repeat(70) + '}]'), 64), [2, 'k"ey', 0]);
  assert.equal(rawJsonDeeperThan(Buffer.from('['.repeat(64) + ']'.repeat(64)), 64), undefined);
  assert.deepEqual(rawJsonDeeperThan(Buffer.from('['.repeat(65) + ']'.repeat(65)), 64), [0, 0, 0]);
});

test('a long string full of brackets and escapes is skipped as a string', () => {
  const text = JSON.stringify({ texts: ['[{'.repeat(100000) + '\\"'.repeat(1000), '"[['.repeat(50000)] });
  assert.equal(rawJsonDeeperThan(Buffer.from(text), 4), undefined);
  assert.equal(rawJsonDeeperThan(Buffer.from('"unterminated [[[['), 1), undefined, 'left for JSON.parse to report');
});
