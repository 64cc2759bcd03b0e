// sparse_top_k, sparse_min_weight, colbert_pool_factor and score_compact on
// the real Predictor with the generated test model: off, the output is the
// same bytes; on, lexical_weights (every sparse_format) and lexical_tokens
// follow the pruning, ColBERT rows are the means of SciPy's Ward clusters of
// the exact rows (texts of 2 to 2,049 tokens; one of 8,192 pooled too), and scores stay exact unless
// score_compact asks for them from the compact vectors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { poolColbert } from '../../src/api/colbert-pooling.ts';
import { asFloatOutput, type FloatOutput } from '../../src/api/output-formats.ts';
import { decodeFloat32Base64 } from '../../src/api/vector-encoding.ts';
import type { Input } from '../../src/api/schema-types.ts';
import { scipyPartitions, skipScipy } from '../helpers/scipy/ward-oracle.ts';
import { officialWeights } from '../helpers/server/real-model.ts';

const WORDS = ['the', 'cat', 'sat', 'on', 'a', 'warm', 'mat', 'while', 'rain', 'fell', 'over', 'Paris'];
/** A text of about `words` words, varied enough that no two ColBERT rows are equal. */
function longText(words: number): string {
  return Array.from({ length: words }, (_, i) => (i % 3 === 0 ? `w${i}` : WORDS[(i * 7) % WORDS.length])).join(' ');
}

const TEXTS = ['', 'hi', 'The cat sat on the mat.', longText(60), longText(400), longText(1500)];
const QUERY = 'where did the cat sit';
/** The longest text here: 2,048 ColBERT rows, plus <s>. */
const MAX = 2049;

describe('compact outputs on the Predictor', () => {
  const p = new Predictor();
  let exact: FloatOutput;
  let queryAlone: FloatOutput;
  const predict = async (extra: Partial<Input>) => asFloatOutput(await p.predict({ texts: TEXTS, max_length: MAX, return_colbert: true, ...extra }));

  before(async () => {
    await p.setup({ weights: await officialWeights(), log: () => {} });
    exact = await predict({ query: QUERY });
    queryAlone = await predict({ texts: [QUERY] });
  });
  after(() => p.close?.());

  test('the texts span 2 to 2,049 tokens', () => {
    assert.equal(exact.token_counts[0], 2);
    assert.equal(exact.token_counts.at(-1), MAX);
  });

  test('a text of 8,192 tokens is pooled too: no length cap, the same rows as poolColbert', async () => {
    const text = longText(9000);
    const input = { texts: [text], max_length: 8192, return_colbert: true, return_sparse: false, return_dense: false, vector_encoding: 'base64' as const };
    const rows = decodeFloat32Base64((await p.predict(input)).colbert_vecs![0] as string);
    const pooled = decodeFloat32Base64((await p.predict({ ...input, colbert_pool_factor: 4 })).colbert_vecs![0] as string);
    const dim = p.info!.dim;
    assert.equal(rows.length / dim, 8191);
    assert.equal(pooled.length / dim, 2047);
    assert.deepEqual(pooled, poolColbert(rows, dim, 4));
  });

  test('off (pool factor 1, no pruning, score_compact false), the output is the same JSON', async () => {
    const off = await predict({ query: QUERY, colbert_pool_factor: 1, score_compact: false });
    assert.equal(JSON.stringify(off), JSON.stringify(exact));
  });

  test('sparse_top_k and sparse_min_weight cut lexical_weights and lexical_tokens after the merge', async () => {
    const topK = 5;
    const minWeight = 0.05;
    const out = await predict({ sparse_top_k: topK, sparse_min_weight: minWeight, return_colbert: false });
    const wantIds = new Set<string>();
    exact.lexical_weights!.forEach((full, i) => {
      const want = Object.entries(full)
        .filter(([, w]) => w >= minWeight)
        .sort(([a, wa], [b, wb]) => wb - wa || Number(a) - Number(b))
        .slice(0, topK);
      assert.deepEqual(out.lexical_weights![i], Object.fromEntries(want), `text ${i}`);
      for (const [id] of want) wantIds.add(id);
    });
    assert.deepEqual(Object.keys(out.lexical_tokens!).sort(), [...wantIds].sort());
    for (const id of wantIds) assert.equal(out.lexical_tokens![id], exact.lexical_tokens![id]);
    const pairs = (await p.predict({ texts: TEXTS, max_length: MAX, sparse_top_k: topK, sparse_min_weight: minWeight, sparse_format: 'indices_values' }))
      .lexical_weights as {
      indices: number[];
      values: number[];
    }[];
    pairs.forEach((iv, i) => assert.deepEqual(Object.fromEntries(iv.indices.map((id, j) => [String(id), iv.values[j]])), out.lexical_weights![i]));
    const tokens = (await p.predict({ texts: TEXTS, max_length: MAX, sparse_top_k: 1, sparse_format: 'tokens' })).lexical_weights as Record<string, number>[];
    tokens.forEach((t, i) => assert.ok(Object.keys(t).length <= 1, `text ${i} keeps one token`));
  });

  for (const factor of [2, 3, 4]) {
    test(`colbert_pool_factor ${factor}: each text's rows are the means of SciPy's Ward clusters`, { skip: skipScipy }, async () => {
      const out = await predict({ colbert_pool_factor: factor, return_sparse: false });
      // SciPy needs 2 rows and answers at random for 2 (see colbert-pooling.test.ts): 1 or 2 rows are one cluster.
      const asked = exact.colbert_vecs!.filter((rows) => rows.length > 2);
      const want = scipyPartitions(asked.map((rows) => ({ rows, k: Math.max(Math.floor(rows.length / factor), 1) })));
      exact.colbert_vecs!.forEach((rows, i) => {
        const pooled = out.colbert_vecs![i];
        const clusters = rows.length > 2 ? want[asked.indexOf(rows)] : [rows.map((_, r) => r)];
        assert.equal(pooled.length, clusters.length, `text ${i}: ${clusters.length} rows for ${rows.length}`);
        clusters.forEach((members, c) => {
          const mean = rows[0].map((_, d) => members.reduce((s, r) => s + rows[r][d], 0) / members.length);
          const worst = Math.max(...mean.map((m, d) => Math.abs(m - pooled[c][d])));
          assert.ok(worst < 1e-6, `text ${i}, cluster ${c} (rows ${members.slice(0, 5)}...): off by ${worst}`);
        });
      });
    });
  }

  test('scores stay exact with compact outputs; score_compact scores the compact vectors', async () => {
    const opts = { query: QUERY, sparse_top_k: 3, colbert_pool_factor: 3 };
    const kept = await predict(opts);
    assert.deepEqual(kept.scores, exact.scores);
    const compact = await predict({ ...opts, score_compact: true });
    const q = queryAlone.lexical_weights![0];
    const qRows = queryAlone.colbert_vecs![0];
    TEXTS.forEach((_, i) => {
      const sparse = Object.entries(compact.lexical_weights![i]).reduce((s, [id, w]) => s + (q[id] ?? 0) * w, 0);
      assert.ok(Math.abs(compact.scores!.sparse[i] - sparse) < 1e-4, `text ${i}: sparse ${compact.scores!.sparse[i]} vs ${sparse}`);
      const rows = compact.colbert_vecs![i];
      const colbert = qRows.reduce((s, qr) => s + Math.max(...rows.map((r) => r.reduce((t, x, d) => t + x * qr[d], 0))), 0) / qRows.length;
      assert.ok(Math.abs(compact.scores!.colbert[i] - colbert) < 1e-4, `text ${i}: colbert ${compact.scores!.colbert[i]} vs ${colbert}`);
      assert.equal(compact.scores!.dense[i], exact.scores!.dense[i]);
      const w = exact.scores!.weights;
      const hybrid = (w[0] * compact.scores!.dense[i] + w[1] * compact.scores!.sparse[i] + w[2] * compact.scores!.colbert[i]) / (w[0] + w[1] + w[2]);
      assert.ok(Math.abs(compact.scores!.hybrid[i] - hybrid) < 1e-12);
    });
    assert.notDeepEqual(compact.scores!.colbert, exact.scores!.colbert, 'pooling changes some ColBERT score');
  });

  test('ColBERT rows counted for the size cap are the pooled ones', async () => {
    // 17 texts of 1,024 rows: 17,408 vectors, over the cap of 16,384; pooled by 2, 8,704.
    const texts = Array(17).fill(longText(2000));
    const input = { texts, max_length: 1025, return_colbert: true, return_sparse: false, return_dense: false };
    await assert.rejects(p.predict(input), /would return 17408 vectors/);
    const pooled = asFloatOutput(await p.predict({ ...input, colbert_pool_factor: 2 }));
    assert.deepEqual(
      pooled.colbert_vecs!.map((rows) => rows.length),
      Array(17).fill(512),
    );
  });
});
