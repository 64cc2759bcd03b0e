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
