// Decodes any sparse_format / vector_encoding output and asserts it equals the
// default dict/float output exactly. The tokens oracle groups the dict output
// by its own lexical_tokens, independently of the escaping code.
import assert from 'node:assert/strict';
import { fromIndicesValues, tokenFromKey, type FloatOutput, type IndicesValues } from '../../src/api/output-formats.ts';
import type { Output } from '../../src/api/schema-types.ts';
import { decodeFloat32Base64 } from '../../src/api/vector-encoding.ts';

/** The tokens output expected from the dict output: grouped by decoded text, largest weight kept. */
export function groupedByText(dict: Record<string, number>, tokens: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, w] of Object.entries(dict)) out.set(tokens[id], Math.max(out.get(tokens[id]) ?? 0, w));
  return out;
}

function decodedDense(out: Output): number[][] {
  return out.dense_vecs!.map((v) => Array.from(decodeFloat32Base64(v as string)));
}

function decodedColbert(out: Output, dim: number): number[][][] {
  return out.colbert_vecs!.map((v, i) => {
    const flat = decodeFloat32Base64(v as string);
    assert.equal(flat.length, (out.token_counts[i] - 1) * dim, `text ${i}: token_counts - 1 rows of ${dim}`);
    return Array.from({ length: flat.length / dim }, (_, r) => Array.from(flat.subarray(r * dim, (r + 1) * dim)));
  });
}

/** Asserts `out` (any format) decodes to exactly `base` (dict/float). */
export function assertRoundTrip(out: Output, base: FloatOutput, input: { sparse_format?: string; vector_encoding?: string }): void {
  assert.deepEqual(out.token_counts, base.token_counts);
  assert.deepEqual(out.lexical_tokens, base.lexical_tokens, 'lexical_tokens stay as they are');
  if (input.vector_encoding === 'base64') {
    const dim = base.dense_vecs![0].length;
    assert.ok(out.dense_vecs!.every((v) => typeof v === 'string'));
    assert.deepEqual(decodedDense(out), base.dense_vecs);
    assert.deepEqual(decodedColbert(out, dim), base.colbert_vecs);
  } else {
    assert.deepEqual(out.dense_vecs, base.dense_vecs);
    assert.deepEqual(out.colbert_vecs, base.colbert_vecs);
  }
  out.lexical_weights!.forEach((got, i) => {
    const want = base.lexical_weights![i];
    if (input.sparse_format === 'indices_values') {
      const iv = got as IndicesValues;
      assert.deepEqual(
        iv.indices,
        [...iv.indices].sort((a, b) => a - b),
        'ids ascending',
      );
      assert.deepEqual(fromIndicesValues(iv), want);
    } else if (input.sparse_format === 'tokens') {
      const keys = Object.keys(got);
      assert.ok(
        keys.every((k) => k !== '' && !k.includes('.')),
        `text ${i}: keys Elasticsearch accepts`,
      );
      const decoded = new Map(Object.entries(got as Record<string, number>).map(([k, w]) => [tokenFromKey(k), w]));
      assert.deepEqual(decoded, groupedByText(want, base.lexical_tokens!));
    } else {
      assert.deepEqual(got, want);
    }
  });
}
