// What a rerun compares with the shard's manifest before it may continue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { differences, MANIFEST_VERSION, type JobOptions, type Manifest } from '../../src/corpus/manifest.ts';

const input = { path: '/data/c.jsonl', size: 10, mtime_ms: 1 };
const options: JobOptions = {
  format: 'parquet',
  id_column: null,
  text_column: 'text',
  max_length: 8192,
  dense: true,
  sparse: true,
  colbert: false,
  sparse_top_k: null,
  sparse_min_weight: null,
  colbert_pool_factor: 1,
  chunk_tokens: 0,
  chunk_overlap: 0,
  chunk_context: 'none',
  dense_pooling: 'cls',
  vector_type: 'float32',
  part_rows: 1000,
  weights: '/w',
  precision: 'fp32',
};
const manifest = (o: Partial<JobOptions>): Manifest => ({
  version: MANIFEST_VERSION,
  shard: { index: 0, count: 1 },
  input,
  options: o as JobOptions,
  parts: [],
  complete: false,
});

test('the same input and options continue; a changed option is named with both values', () => {
  assert.deepEqual(differences(manifest(options), input, options), []);
  assert.deepEqual(differences(manifest({ ...options, precision: 'int8' }), input, options), ['precision was "int8", now "fp32"']);
});

test('an option an older manifest did not record is named as such, not as "undefined"', () => {
  const { precision: _, ...older } = options;
  assert.deepEqual(differences(manifest(older), input, options), ['precision was not recorded (an older manifest), now "fp32"']);
});

test('a changed --sparse-top-k, --sparse-min-weight or --colbert-pool-factor is refused, naming both values', () => {
  const compact = { ...options, sparse_top_k: 64, sparse_min_weight: 0.01, colbert_pool_factor: 2 };
  assert.deepEqual(differences(manifest(compact), input, compact), []);
  assert.deepEqual(differences(manifest(compact), input, { ...compact, sparse_top_k: 32, sparse_min_weight: null, colbert_pool_factor: 3 }), [
    'sparse_top_k was 64, now 32',
    'sparse_min_weight was 0.01, now null',
    'colbert_pool_factor was 2, now 3',
  ]);
  assert.deepEqual(differences(manifest(options), input, compact), [
    'sparse_top_k was null, now 64',
    'sparse_min_weight was null, now 0.01',
    'colbert_pool_factor was 1, now 2',
  ]);
});

test('a manifest from before the compact options continues with them off, and only then', () => {
  const { sparse_top_k: _k, sparse_min_weight: _w, colbert_pool_factor: _f, ...older } = options;
  assert.deepEqual(differences(manifest(older), input, options), []);
  assert.deepEqual(differences(manifest(older), input, { ...options, colbert_pool_factor: 4 }), ['colbert_pool_factor was 1, now 4']);
});

test('a manifest from before --vector-type continues as float32 only; a changed vector_type is named', () => {
  const { vector_type: _, ...older } = options;
  assert.deepEqual(differences(manifest(older), input, options), []);
  assert.deepEqual(differences(manifest(older), input, { ...options, vector_type: 'int8' }), ['vector_type was "float32", now "int8"']);
  assert.deepEqual(differences(manifest({ ...options, vector_type: 'binary' }), input, { ...options, vector_type: 'ubinary' }), [
    'vector_type was "binary", now "ubinary"',
  ]);
});

test('a manifest from before --chunk-context continues only without it; a changed chunk_context is named', () => {
  const chunked = { ...options, chunk_tokens: 64, chunk_overlap: 8 };
  const { chunk_context: _, ...older } = chunked;
  assert.deepEqual(differences(manifest(older), input, chunked), []);
  assert.deepEqual(differences(manifest(older), input, { ...chunked, chunk_context: 'document' }), ['chunk_context was "none", now "document"']);
  assert.deepEqual(differences(manifest({ ...chunked, chunk_context: 'document' }), input, chunked), ['chunk_context was "document", now "none"']);
});

test('a manifest from before --dense-pooling continues only with cls; a changed dense_pooling is named', () => {
  const { dense_pooling: _, ...older } = options;
  assert.deepEqual(differences(manifest(older), input, options), []);
  assert.deepEqual(differences(manifest(older), input, { ...options, dense_pooling: 'mcls' }), ['dense_pooling was "cls", now "mcls"']);
});
