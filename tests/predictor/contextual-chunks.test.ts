// chunk_context "document" through the Predictor on the generated model: the
// chunks' ColBERT rows are the whole document's rows, merged they are exactly
// the document's; the merged lexical weights are the document's; each chunk's
// dense vector equals the normalized mean of its tokens' hidden states in its
// window, computed by hand from the bare backbone; the 422s name the fix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InputValidationError, Predictor } from '../../predict.ts';
import { contextWindows } from '../../src/api/chunking/contextual.ts';
import { planChunks } from '../../src/api/chunking/plan.ts';
import type { ChunkPlan } from '../../src/api/chunking/types.ts';
import { asFloatOutput, type FloatOutput } from '../../src/api/output-formats.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../../src/engine/tokenizer/token-spans.ts';
import { maxAbsDiff, openLayout, run } from '../helpers/model/run-model.ts';
import { ensureTestModels, type TestModels } from '../helpers/model/test-models.ts';

const DOCUMENT = 'BGE M3 is an embedding model. Привет, мир! Γειά σου κόσμε. 東京は日本の首都です。 '.repeat(12);
const ALL = { return_dense: true, return_sparse: true, return_colbert: true } as const;

let models: TestModels;
let predictor: Predictor;
let tokenizers: { tokenizer: BgeTokenizer; spans: TokenSpans };

before(async () => {
  models = await ensureTestModels();
  predictor = new Predictor();
  await predictor.setup({ weights: models.dirs.official, log: () => {}, session: { intraOpThreads: 1 } });
  const file = `${models.dirs.official}/tokenizer.json`;
  tokenizers = { tokenizer: await BgeTokenizer.fromFile(file), spans: await TokenSpans.fromFile(file) };
});
after(() => predictor.close());

const plansOf = (chunkTokens: number, chunkOverlap: number): ChunkPlan[] => [...planChunks(DOCUMENT, { chunkTokens, chunkOverlap }, tokenizers)];

/** normalize(mean of the bare backbone's hidden states at positions [from, to) of `ids`). */
async function meanByHand(ids: number[], from: number, to: number): Promise<number[]> {
  const hidden = (await run(await openLayout(models, 'official'), [ids], [ids.map(() => 1)])).token_embeddings.data;
  const h = models.config.hidden;
  const mean = Array.from({ length: h }, (_, k) => {
    let s = 0;
    for (let p = from; p < to; p++) s += hidden[p * h + k];
    return s / (to - from);
  });
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

const flat = (rows: number[][]) => rows.flat();

test('a document in one window: chunk ColBERT rows are slices of the document rows, and merged are exactly them', async () => {
  const whole = asFloatOutput(await predictor.predict({ texts: [DOCUMENT], ...ALL }));
  const out = asFloatOutput(await predictor.predict({ texts: [DOCUMENT], ...ALL, chunk_tokens: 100, chunk_overlap: 20, chunk_context: 'document' }));
  const plans = plansOf(100, 20);
  const rows = whole.colbert_vecs![0];
  assert.ok(plans.length >= 4 && out.chunks!.length === plans.length, `${plans.length} chunks`);
  out.chunks!.forEach((c, k) => {
    const p = plans[k];
    const own = rows.slice(p.tokenStart, p.tokenEnd + (k === plans.length - 1 ? 1 : 0));
    assert.deepEqual(c.colbert_vecs, own, `chunk ${k} colbert`);
  });
  assert.deepEqual(out.colbert_vecs, whole.colbert_vecs);
  assert.deepEqual(out.lexical_weights, whole.lexical_weights);
  assert.deepEqual(out.token_counts, whole.token_counts);
});

test('each chunk dense vector is the normalized mean of its tokens hidden states; the document merges them by token count', async () => {
  const out = asFloatOutput(await predictor.predict({ texts: [DOCUMENT], ...ALL, chunk_tokens: 100, chunk_overlap: 20, chunk_context: 'document' }));
  const plans = plansOf(100, 20);
  const ids = tokenizers.tokenizer.encode(DOCUMENT, 8192).ids;
  for (const [k, c] of out.chunks!.entries()) {
    const expected = await meanByHand(ids, 1 + plans[k].tokenStart, 1 + plans[k].tokenEnd);
    assert.ok(maxAbsDiff(c.dense_vec as number[], expected) < 1e-5, `chunk ${k}`);
  }
  const sum = out.chunks!.reduce((acc, c) => acc.map((v, d) => v + c.token_count * (c.dense_vec as number[])[d]), new Array(models.config.hidden).fill(0));
  const norm = Math.hypot(...sum);
  assert.ok(
    maxAbsDiff(
      out.dense_vecs![0],
      sum.map((v) => v / norm),
    ) < 1e-6,
  );
});

test("an empty text's one chunk, which has no tokens, gets the text's own <s> vector, beside other texts", async () => {
  const plain = asFloatOutput(await predictor.predict({ texts: ['', DOCUMENT], ...ALL }));
  const out = asFloatOutput(await predictor.predict({ texts: ['', DOCUMENT], ...ALL, chunk_tokens: 100, chunk_context: 'document' }));
  const empty = out.chunks!.filter((c) => c.text_index === 0);
  assert.equal(empty.length, 1);
  assert.deepEqual([empty[0].token_count, empty[0].start, empty[0].end, empty[0].colbert_vecs], [2, 0, 0, [plain.colbert_vecs![0][0]]]);
  assert.ok(maxAbsDiff(empty[0].dense_vec as number[], plain.dense_vecs![0]) < 1e-6, 'the <s> vector');
  assert.ok(maxAbsDiff(out.dense_vecs![0], plain.dense_vecs![0]) < 1e-6, 'merged: the same');
  assert.deepEqual(out.lexical_weights![0], {});
});

test('a document longer than max_length runs in windows cut between chunks; each chunk is computed in its window', async () => {
  const input = { texts: [DOCUMENT], ...ALL, max_length: 130, chunk_tokens: 50, chunk_overlap: 10, chunk_context: 'document' };
  const out: FloatOutput = asFloatOutput(await predictor.predict(input));
  const plans = plansOf(50, 10);
  const windows = contextWindows(plans, 130);
  assert.ok(windows.length >= 4, `${windows.length} windows`);
  const ids = tokenizers.tokenizer.encode(DOCUMENT, 8192).ids;
  let k = 0;
  for (const w of windows) {
    const windowIds = [0, ...ids.slice(1 + w.start, 1 + w.end), 2];
    for (const c of w.chunks) {
      const from = 1 + c.tokenStart - w.start;
      const expected = await meanByHand(windowIds, from, from + c.tokenEnd - c.tokenStart);
      assert.ok(maxAbsDiff(out.chunks![k].dense_vec as number[], expected) < 1e-5, `chunk ${k}`);
      k++;
    }
  }
  assert.equal(k, out.chunks!.length);
  assert.equal(flat(out.colbert_vecs![0]).length, (ids.length - 1) * models.config.hidden);
});

test('bad combinations are 422s on the field, saying what to do', async () => {
  const field = async (input: object, name: string, message: RegExp, on = predictor) =>
    assert.rejects(on.predict(input), (err: InputValidationError) => {
      assert.ok(err instanceof InputValidationError);
      assert.equal(err.issues[0].field, name);
      assert.match(err.issues[0].message, message);
      return true;
    });
  await field({ texts: ['a'], chunk_context: 'document' }, 'chunk_context', /needs chunk_tokens above 0/);
  await field({ texts: ['a'], chunk_tokens: 10, dense_pooling: 'mcls' }, 'dense_pooling', /set dense_pooling to "cls", or chunk_tokens to 0/);
  const p = new Predictor();
  await p.setup({ weights: models.dirs['heads-aapot'], log: () => {}, session: { intraOpThreads: 1 } });
  try {
    await field({ texts: ['a b c'], chunk_tokens: 2, chunk_context: 'document' }, 'chunk_context', /use chunk_context "none"/, p);
  } finally {
    await p.close();
  }
});
