/**
 * chunk_tokens on the real Predictor with the generated test model (issue #19). Oracles: the
 * Predictor itself on each chunk's own text (a chunk's outputs must be exactly those), and the
 * merge rules computed here by hand in float64 from the chunks' returned outputs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputValidationError, Predictor } from '../../../predict.ts';
import { MAX_COLBERT_VECTORS } from '../../../src/api/output.ts';
import { asFloatOutput } from '../../../src/api/output-formats.ts';
import type { Input } from '../../../src/api/schema-types.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../../../tools/fixtures/tokenizer/corpus-sentences.ts';
import { planChunks } from '../../../src/api/chunking/plan.ts';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../../src/engine/tokenizer/token-spans.ts';
import { TOKENIZER_JSON } from '../../helpers/tokenizer/fixture-paths.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

const random = seededRandom(1919);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const QUERY = 'Where is the capital, and what did the model learn?';
/** The test model's tokenizer: where each chunk's tokens lie in its document (the planner, tested on its own). */
const tokenizers = { tokenizer: await BgeTokenizer.fromFile(TOKENIZER_JSON), spans: await TokenSpans.fromFile(TOKENIZER_JSON) };
const ALL = { return_dense: true, return_sparse: true, return_colbert: true } as const;

/** A document of one script: random sentences joined by random white space. */
function documentOf(sample: (typeof SCRIPT_SAMPLES)[number], sentences: number): string {
  return Array.from({ length: sentences }, () => pick(sample.sentences)).join(pick([' ', '\n', '  ', sample.joiner]));
}

const chunkText = (text: string, c: { start: number; end: number }) => [...text].slice(c.start, c.end).join('');

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function closeTo(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

describe('chunk_tokens on the Predictor', () => {
  // int8's calibration goes to a folder of its own, not beside the shared test weights.
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
  const predict = async (input: Partial<Input>) => p.predict({ texts: ['x'], ...input });

  before(async () => {
    await p.setup({ weights: await officialWeights(), log: () => {} });
  });
  after(() => p.close());

  test('chunk_tokens 0 (or absent) gives the very same JSON as before', async () => {
    const texts = [documentOf(SCRIPT_SAMPLES[0], 3), 'short', ''];
    for (const extra of [{}, { query: QUERY }, { ...ALL, query: QUERY, sparse_format: 'indices_values' as const, vector_encoding: 'base64' as const }]) {
      const before = JSON.stringify(await predict({ texts, ...extra }));
      assert.equal(JSON.stringify(await predict({ texts, ...extra, chunk_tokens: 0, chunk_overlap: 0 })), before);
    }
  });

  test('random documents of every script, random chunk_tokens and chunk_overlap: every chunk equals /predictions on its own text', async () => {
    let compared = 0;
    for (const sample of SCRIPT_SAMPLES) {
      const texts = [documentOf(sample, 2 + Math.floor(random() * 4)), documentOf(sample, 1)];
      const chunkTokens = 4 + Math.floor(random() * 40);
      const chunkOverlap = Math.floor(random() * Math.min(chunkTokens, 12));
      const out = asFloatOutput(await predict({ texts, ...ALL, query: QUERY, chunk_tokens: chunkTokens, chunk_overlap: chunkOverlap }));
      const words = out.chunks!.filter((c) => c.cut === 'word');
      const alone = asFloatOutput(await predict({ texts: words.map((c) => chunkText(texts[c.text_index], c)), ...ALL, query: QUERY }));
      words.forEach((c, i) => {
        const what = `${sample.name} chunk ${c.text_index}/${c.chunk_index} (chunk_tokens ${chunkTokens}, overlap ${chunkOverlap})`;
        assert.equal(c.token_count, alone.token_counts[i], what);
        assert.deepEqual(c.dense_vec, alone.dense_vecs![i], `${what}: dense`);
        assert.deepEqual(c.lexical_weights, alone.lexical_weights![i], `${what}: sparse`);
        assert.deepEqual(c.colbert_vecs, alone.colbert_vecs![i], `${what}: colbert`);
        const s = alone.scores!;
        assert.deepEqual(c.scores, { dense: s.dense[i], sparse: s.sparse[i], colbert: s.colbert[i], hybrid: s.hybrid[i] }, `${what}: scores`);
        compared++;
      });
    }
    assert.ok(compared > 40, `${compared} chunks compared`);
  });

  test('the document-level fields follow the merge rules, computed by hand from the chunks', async () => {
    const texts = [documentOf(SCRIPT_SAMPLES[0], 6), documentOf(SCRIPT_SAMPLES[3], 5), 'one chunk only', ''];
    const out = asFloatOutput(await predict({ texts, ...ALL, query: QUERY, chunk_tokens: 16, chunk_overlap: 5 }));
    const w = out.scores!.weights;
    texts.forEach((_, t) => {
      const chunks = out.chunks!.filter((c) => c.text_index === t);
      assert.deepEqual(
        chunks.map((c) => c.chunk_index),
        chunks.map((_, i) => i),
      );
      // dense: token-weighted mean, L2-normalized
      const sum = chunks[0].dense_vec!.map((_, d) => chunks.reduce((s, c) => s + c.token_count * c.dense_vec![d], 0));
      const norm = Math.sqrt(dot(sum, sum));
      closeTo(
        out.dense_vecs![t],
        sum.map((x) => x / norm),
        1e-6,
        `text ${t} dense`,
      );
      // sparse: max per token id
      const sparse: Record<string, number> = {};
      for (const c of chunks) for (const [id, v] of Object.entries(c.lexical_weights!)) sparse[id] = Math.max(sparse[id] ?? 0, v);
      assert.deepEqual(out.lexical_weights![t], sparse, `text ${t} sparse`);
      // ColBERT: each token's row from the first chunk holding it, then the last chunk's </s> row
      const plans = [...planChunks(texts[t], { chunkTokens: 16, chunkOverlap: 5 }, tokenizers)];
      const rows: number[][] = [];
      let covered = 0;
      chunks.forEach((c, i) => {
        const own = c.colbert_vecs!.slice(0, -1); // its content tokens' rows
        rows.push(...own.slice(covered - plans[i].tokenStart));
        covered = plans[i].tokenEnd;
      });
      rows.push(chunks.at(-1)!.colbert_vecs!.at(-1)!);
      assert.deepEqual(out.colbert_vecs![t], rows, `text ${t} colbert`);
      assert.equal(out.token_counts[t], covered + 2);
      assert.equal(out.truncated[t], false);
      // best chunk: the highest hybrid, first on a tie
      const best = chunks.reduce((b, c) => (c.scores!.hybrid > b.scores!.hybrid ? c : b));
      const bc = out.scores!.best_chunk!;
      assert.equal(bc.chunk_index[t], best.chunk_index);
      assert.deepEqual(
        [bc.dense[t], bc.sparse[t], bc.colbert[t], bc.hybrid[t]],
        [best.scores!.dense, best.scores!.sparse, best.scores!.colbert, best.scores!.hybrid],
      );
      const hybrid = (w[0] * out.scores!.dense[t] + w[1] * out.scores!.sparse[t] + w[2] * out.scores!.colbert[t]) / (w[0] + w[1] + w[2]);
      assert.ok(Math.abs(out.scores!.hybrid[t] - hybrid) < 1e-9);
    });
  });

  test('document-level scores are those of its merged outputs, as /predictions scores a text', async () => {
    const texts = [documentOf(SCRIPT_SAMPLES[1], 5)];
    const out = asFloatOutput(await predict({ texts, ...ALL, query: QUERY, chunk_tokens: 12, chunk_overlap: 3 }));
    const q = asFloatOutput(await predict({ texts: [QUERY], ...ALL }));
    closeTo([out.scores!.dense[0]], [dot(q.dense_vecs![0], out.dense_vecs![0])], 1e-6, 'dense');
    const qs = q.lexical_weights![0];
    const ds = out.lexical_weights![0];
    closeTo([out.scores!.sparse[0]], [Object.keys(qs).reduce((s, id) => s + qs[id] * (ds[id] ?? 0), 0)], 1e-6, 'sparse');
    const qRows = q.colbert_vecs![0];
    const colbert = qRows.reduce((s, r) => s + Math.max(...out.colbert_vecs![0].map((d) => dot(r, d))), 0) / qRows.length;
    closeTo([out.scores!.colbert[0]], [colbert], 1e-6, 'colbert');
  });

  test('a text far longer than max_length is chunked whole, each window within max_length', async () => {
    const text = documentOf(SCRIPT_SAMPLES[0], 80);
    const out = await predict({ texts: [text], max_length: 64, chunk_tokens: 62, chunk_overlap: 10 });
    const whole = await predict({ texts: [text] });
    assert.equal(out.token_counts[0], whole.token_counts[0]);
    assert.ok(out.chunks!.length > 5);
    for (const c of out.chunks!) assert.ok(c.token_count <= 64);
    assert.equal(out.chunks!.at(-1)!.end, [...text].length);
  });

  test('vector formats apply to chunks as to texts', async () => {
    const texts = [documentOf(SCRIPT_SAMPLES[0], 3)];
    const base = { texts, ...ALL, chunk_tokens: 10, chunk_overlap: 2 };
    const b64 = await predict({ ...base, vector_encoding: 'base64', sparse_format: 'indices_values', vector_type: 'float16' });
    const c = b64.chunks![0];
    assert.equal(typeof c.dense_vec, 'string');
    assert.equal(typeof c.colbert_vecs, 'string');
    assert.ok('indices' in (c.lexical_weights as object));
    const top = await predict({ ...base, sparse_top_k: 2 });
    for (const ch of top.chunks!) assert.ok(Object.keys(ch.lexical_weights!).length <= 2);
    assert.ok(Object.keys(top.lexical_weights![0]).length <= 2);
  });

  test('score_compact scores chunks as /predictions scores their own texts: quantized vectors, pruned weights', async () => {
    const text = documentOf(SCRIPT_SAMPLES[0], 6);
    for (const vector_type of ['int8', 'binary', 'float16'] as const) {
      const compact = { vector_type, score_compact: true, sparse_top_k: 4, query: QUERY, return_dense: false, return_sparse: false };
      const out = await predict({ texts: [text], ...compact, chunk_tokens: 12 });
      const words = out.chunks!.filter((c) => c.cut === 'word');
      assert.ok(words.length > 1, 'several chunks to compare');
      const alone = (await predict({ texts: words.map((c) => chunkText(text, c)), ...compact })).scores!;
      words.forEach((c, i) => {
        const exact = { dense: alone.dense[i], sparse: alone.sparse[i], colbert: alone.colbert[i], hybrid: alone.hybrid[i] };
        assert.deepEqual(c.scores, exact, `${vector_type} chunk ${c.chunk_index}`);
      });
      assert.equal(out.calibration, vector_type === 'int8' ? (await p.calibration()).hash : undefined, `${vector_type}: the calibration is named`);
    }
  });

  test('bad chunking input is a 422 naming the field', async () => {
    const cases: [Partial<Input>, string][] = [
      [{ chunk_tokens: 8, chunk_overlap: 8 }, 'chunk_overlap'],
      [{ chunk_tokens: 8, chunk_overlap: 9 }, 'chunk_overlap'],
      [{ chunk_overlap: 3 }, 'chunk_overlap'],
      [{ chunk_tokens: 63, max_length: 64 }, 'chunk_tokens'],
      [{ chunk_tokens: -1 }, 'chunk_tokens'],
      [{ chunk_tokens: 8, colbert_pool_factor: 2 }, 'colbert_pool_factor'],
    ];
    for (const [input, field] of cases) {
      await assert.rejects(
        () => predict(input),
        (err: unknown) => err instanceof InputValidationError && err.issues.some((i) => i.field === field),
        JSON.stringify(input),
      );
    }
  });

  test('the ColBERT output cap counts every chunk row and merged row', async () => {
    const text = documentOf(SCRIPT_SAMPLES[0], 20);
    const tokens = (await predict({ texts: [text] })).token_counts[0];
    const copies = Math.ceil(MAX_COLBERT_VECTORS / (2 * tokens)) + 1; // each text returns its rows twice: chunks and merged
    assert.ok(copies * tokens < MAX_COLBERT_VECTORS, 'unchunked, the same texts would fit');
    await assert.rejects(
      () => predict({ texts: Array(copies).fill(text), return_colbert: true, chunk_tokens: 100 }),
      (err: unknown) => err instanceof InputValidationError && err.issues[0].field === 'return_colbert',
    );
  });
});
