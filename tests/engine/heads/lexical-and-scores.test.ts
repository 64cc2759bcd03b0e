import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lexicalWeights } from '../../../src/engine/heads/lexical.ts';
import { colbertScore, denseScore, hybridScore, sparseScore } from '../../../src/engine/heads/scoring.ts';

test('lexical weights: max per id, specials and weights <= 0 dropped', () => {
  const ids = [0, 500, 7, 500, 3, 6, 9, 2, 1, 1];
  const w = new Float32Array([0.9, 0.1, 0.0, 0.3, 0.8, 0.05, -1, 0.7, 0.6, 0.6]);
  const out = lexicalWeights(ids, w);
  // (JS orders integer-like keys ascending; FlagEmbedding's dict keeps first occurrence. Same JSON object.)
  assert.deepEqual(Object.keys(out).sort(), ['500', '6']);
  assert.equal(out['500'], Math.fround(0.3));
  assert.equal(out['6'], Math.fround(0.05));
});

test('sparse score reproduces the published FlagEmbedding lexical matching score', () => {
  // Lexical weights of "What is BGE M3?" and the BGE-M3 passage from FlagEmbedding fp32 CPU
  // (bge-m3-lite fixtures); the tutorial prints compute_lexical_matching_score = 0.19554448500275612.
  const ref = JSON.parse(readFileSync(new URL('../../fixtures/reference/bge-m3-lite.embeddings_ref.json', import.meta.url), 'utf8'));
  const score = sparseScore(ref.lexical_weights[0], ref.lexical_weights[1]);
  assert.ok(Math.abs(score - 0.19554448500275612) < 1e-6, String(score));
  assert.equal(sparseScore({ 1: 2 }, { 3: 4 }), 0);
});

test('hybrid score reproduces the published compute_score combination', () => {
  // FlagEmbedding research/BGE_M3/README.md compute_score example: weights [0.4, 0.2, 0.4]; pair (q0, p0).
  const h = hybridScore(0.6259765625, 0.195556640625, 0.7796499729156494, [0.4, 0.2, 0.4]);
  assert.ok(Math.abs(h - 0.6013619303703308) < 1e-7, String(h));
  // sparse+dense is the same formula with w2 = 0
  assert.ok(Math.abs(hybridScore(0.6259765625, 0.195556640625, 0, [0.4, 0.2, 0]) - 0.482503205537796) < 1e-7);
});

test('dense score is the dot product', () => {
  assert.ok(Math.abs(denseScore(new Float32Array([0.6, 0.8]), new Float32Array([0.8, 0.6])) - 0.96) < 1e-6);
});

test('colbert score: mean over query rows of the best passage row', () => {
  const q = new Float32Array([1, 0, /**/ 0, 1]);
  const p = new Float32Array([0.6, 0.8, /**/ -1, 0, /**/ 0, -1]);
  // row 1 best 0.6, row 2 best 0.8 -> 0.7
  assert.ok(Math.abs(colbertScore(q, p, 2) - 0.7) < 1e-6);
  // all similarities negative: the best one counts, not 0
  assert.ok(Math.abs(colbertScore(new Float32Array([1, 0]), new Float32Array([-0.5, 0.5]), 2) + 0.5) < 1e-6);
});
