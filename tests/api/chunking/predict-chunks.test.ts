/**
 * Predictor.predictChunks on the real Predictor with the generated test model. Oracle: predict()
 * on the same input, whose `chunks` must be what the groups hand on, in order (to float rounding:
 * the batches differ); and MAX_COLBERT_VECTORS, which no group may pass.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputValidationError, Predictor, type ChunkOutput } from '../../../predict.ts';
import { MAX_COLBERT_VECTORS } from '../../../src/api/output.ts';
import { decodeFloat32Base64 } from '../../../src/api/vector-encoding.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const random = seededRandom(2222);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const TOLERANCE = 1e-5;

function documentOf(sentences: number): string {
  const sample = pick(SCRIPT_SAMPLES);
  return Array.from({ length: sentences }, () => pick(sample.sentences)).join(' ');
}

/** Every number of a chunk entry (vectors decoded from base64), and the rest of it as JSON. */
function split(c: ChunkOutput): { numbers: number[]; rest: string } {
  const numbers: number[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') {
      numbers.push(v);
      return 0;
    }
    if (typeof v === 'string' && v.length > 40) return walk(Array.from(decodeFloat32Base64(v)));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'indices' ? x : walk(x)]));
    return v;
  };
  const { text_index, chunk_index, start, end, token_count, cut, ...outputs } = c;
  const rest = JSON.stringify([text_index, chunk_index, start, end, token_count, cut, walk(outputs)]);
  return { numbers, rest };
}

describe('Predictor.predictChunks', () => {
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
  before(async () => {
    await p.setup({ weights: await officialWeights(), log: () => {} });
  });
  after(() => p.close());

  const collect = async (input: Record<string, unknown>) => {
    const groups: ChunkOutput[][] = [];
    for await (const g of p.predictChunks(input)) groups.push(g);
    return groups;
  };

  test("hands on predict()'s chunks, in order, for every context, overlap, vector_type, encoding and sparse format", async () => {
    const cases: Record<string, unknown>[] = [
      { chunk_tokens: 12, chunk_overlap: 3 },
      { chunk_tokens: 12, chunk_overlap: 3, chunk_context: 'document', max_length: 40 },
      { chunk_tokens: 9, vector_type: 'float16', sparse_format: 'indices_values' },
      { chunk_tokens: 20, chunk_overlap: 5, vector_encoding: 'base64', sparse_format: 'tokens', chunk_context: 'document' },
      { chunk_tokens: 7, sparse_top_k: 3, sparse_min_weight: 0.01, return_dense: false },
    ];
    for (const extra of cases) {
      // An empty text has no tokens for a contextual chunk to pool (predict() fails on it too: left alone here).
      const empty = extra.chunk_context === 'document' ? [] : [''];
      const input = { texts: [documentOf(8), ...empty, documentOf(1), documentOf(30)], return_colbert: true, ...extra };
      const want = (await p.predict(input)).chunks!;
      const got = (await collect(input)).flat();
      assert.equal(got.length, want.length, JSON.stringify(extra));
      got.forEach((c, i) => {
        const a = split(c);
        const b = split(want[i]);
        assert.equal(a.rest, b.rest, `${JSON.stringify(extra)} chunk ${i}`);
        assert.equal(a.numbers.length, b.numbers.length);
        // float16 rounds to 2^-11 relative; the rest is float32.
        const tol = extra.vector_type === 'float16' ? 1e-3 : TOLERANCE;
        a.numbers.forEach((x, k) => assert.ok(Math.abs(x - b.numbers[k]) <= tol, `${JSON.stringify(extra)} chunk ${i} number ${k}: ${x} vs ${b.numbers[k]}`));
      });
    }
  });

  test('a text of any length: no group passes MAX_COLBERT_VECTORS rows, also when a contextual window holds more', async () => {
    const long = documentOf(1600);
    for (const extra of [
      { chunk_tokens: 100, max_length: 512 },
      // Chunks that start a token apart: a window of 4096 tokens holds about 16 rows per token.
      { chunk_tokens: 16, chunk_overlap: 15, chunk_context: 'document', max_length: 4096 },
    ]) {
      const groups = await collect({ texts: [long], return_colbert: true, return_sparse: false, ...extra });
      const rows = groups.map((g) => g.reduce((n, c) => n + (c.colbert_vecs as number[][]).length, 0));
      const total = rows.reduce((a, b) => a + b, 0);
      assert.ok(total > 1.5 * MAX_COLBERT_VECTORS, `${total} rows in all (${JSON.stringify(extra)})`);
      assert.ok(Math.max(...rows) <= MAX_COLBERT_VECTORS, `groups of ${Math.max(...rows)} rows at most`);
      const chunks = groups.flat();
      assert.deepEqual(
        chunks.map((c) => c.chunk_index),
        chunks.map((_, i) => i),
      );
    }
  });

  test('refuses at the call, as predict() does, and without chunk_tokens or with a query', () => {
    const refused = (input: Record<string, unknown>, field: string) =>
      assert.throws(
        () => p.predictChunks({ texts: ['a b c'], ...input }),
        (err: unknown) => err instanceof InputValidationError && err.issues.some((i) => i.field === field),
        JSON.stringify(input),
      );
    refused({ chunk_tokens: 0 }, 'chunk_tokens');
    refused({ chunk_tokens: 8, query: 'q' }, 'query');
    refused({ chunk_tokens: 8, chunk_overlap: 8 }, 'chunk_overlap');
    refused({ chunk_tokens: 8, colbert_pool_factor: 2, return_colbert: true }, 'colbert_pool_factor');
  });

  test('leaving the loop early takes what was sent off the queue', async () => {
    for await (const group of p.predictChunks({ texts: [documentOf(400)], chunk_tokens: 8, return_colbert: true })) {
      assert.ok(group.length > 0);
      break;
    }
    assert.equal(p.queuedTexts, 0);
  });
});
