// Predictor.rerank on the generated model against an independent oracle: the
// float64 reference forward pass of the same weights (tests/helpers/model/),
// each text alone, tokenized by the Rust tokenizers library, scored with
// FlagEmbedding's compute_score rules written out here; and its length rules.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Tokenizer } from 'tokenizers';
import { Predictor, RerankInputError } from '../../predict.ts';
import { generateWeights, type XlmrWeights } from '../../tools/fixtures/test-model/weights.ts';
import { referenceHeads, referenceLastHiddenState } from '../helpers/model/reference-forward.ts';
import { ensureTestModels, type TestModels } from '../helpers/model/test-models.ts';

let models: TestModels;
let weights: XlmrWeights;
let oracle: Tokenizer;
let predictor: Predictor;

before(async () => {
  models = await ensureTestModels();
  weights = generateWeights(models.config);
  oracle = Tokenizer.fromFile(path.join(models.dirs.official, 'tokenizer.json'));
  predictor = new Predictor();
  await predictor.setup({ weights: models.dirs.official, log: () => {} });
});

after(() => predictor.close());

interface Reference {
  dense: Float64Array;
  lexical: Map<number, number>;
  colbert: Float64Array[];
}

/** One text's three outputs from the float64 reference pass, the text (or its <s> … </s> ids) alone in its batch. */
async function reference(text: string | number[]): Promise<Reference> {
  const ids = typeof text === 'string' ? (await oracle.encode(text)).getIds() : text;
  const mask = ids.map(() => 1);
  const heads = referenceHeads(weights, referenceLastHiddenState(weights, [ids], [mask]), [mask]);
  const unused = new Set(['<s>', '</s>', '<pad>', '<unk>'].map((t) => oracle.tokenToId(t)));
  // FlagEmbedding's _process_token_weights: the largest weight per id, special tokens and weights <= 0 left out.
  const lexical = new Map<number, number>();
  ids.forEach((id, s) => {
    const w = heads.sparse.data[s];
    if (unused.has(id) || !(w > 0)) return;
    if (!lexical.has(id) || w > lexical.get(id)!) lexical.set(id, w);
  });
  const D = heads.colbert.dims[2];
  const colbert = Array.from({ length: ids.length - 1 }, (_, r) => heads.colbert.data.subarray(r * D, (r + 1) * D));
  return { dense: heads.dense.data, lexical, colbert };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

/** FlagEmbedding's compute_score for one pair: dense, sparse, ColBERT and their weighted mean. */
function computeScore(q: Reference, p: Reference, w: number[]) {
  const dense = dot(q.dense, p.dense);
  let sparse = 0;
  for (const [id, qw] of q.lexical) sparse += qw * (p.lexical.get(id) ?? 0);
  const colbert = q.colbert.reduce((s, qr) => s + Math.max(...p.colbert.map((pr) => dot(qr, pr))), 0) / q.colbert.length;
  return { dense, sparse, colbert, hybrid: (w[0] * dense + w[1] * sparse + w[2] * colbert) / (w[0] + w[1] + w[2]) };
}

const PAIRS: [string, string[]][] = [
  [
    'What is BGE M3?',
    ['BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.', 'BM25 is a bag-of-words retrieval function'],
  ],
  ['Где находится Париж?', ['Париж — столица Франции.', '東京は日本の首都です。', 'short']],
];

test("the hybrid score and its three components equal FlagEmbedding's rules on the float64 reference pass", async () => {
  for (const w of [
    [0.4, 0.2, 0.4],
    [1, 3, 0.5],
  ]) {
    for (const [query, docs] of PAIRS) {
      const got = await predictor.rerank({ query, documents: docs, weights: w as [number, number, number], truncate: false });
      assert.deepEqual(got.weights, w);
      const q = await reference(query);
      for (let i = 0; i < docs.length; i++) {
        const want = computeScore(q, await reference(docs[i]), w);
        for (const k of ['dense', 'sparse', 'colbert', 'hybrid'] as const) {
          assert.ok(
            Math.abs(got.scores[i][k] - want[k]) < 1e-5,
            `${k} of ${JSON.stringify(docs[i])} for ${JSON.stringify(query)} with ${w}: ${got.scores[i][k]} vs ${want[k]}`,
          );
        }
        assert.equal(got.tokenCounts[i], (await oracle.encode(docs[i])).getIds().length);
      }
    }
  }
});

test("without weights the request gets /predictions' default, schema.json's score_weights default", async () => {
  const [query, docs] = PAIRS[0];
  const got = await predictor.rerank({ query, documents: docs, truncate: false });
  const out = await predictor.predict({ texts: docs, query, return_dense: false, return_sparse: false });
  assert.deepEqual(got.weights, out.scores!.weights);
  got.scores.forEach((s, i) => assert.equal(s.hybrid, out.scores!.hybrid[i], 'the very same number'));
});

test('bad requests throw RerankInputError naming the field, before any model work', async () => {
  const ok = { query: 'q', documents: ['a'], truncate: false };
  const cases: [string, object, string, number | null][] = [
    ['empty documents', { ...ok, documents: [] }, 'documents', null],
    ['empty query', { ...ok, query: ' ' }, 'query', null],
    ['a document that is not a string', { ...ok, documents: ['a', 3] }, 'documents', 1],
    ['weights summing to 0', { ...ok, weights: [0, 0, 0] }, 'weights', null],
    ['negative weights', { ...ok, weights: [1, -0.5, 1] }, 'weights', null],
    ['an over-long document, not truncated', { ...ok, documents: ['a', 'word '.repeat(9000)] }, 'documents', 1],
    ['an over-long query, not truncated', { ...ok, query: 'word '.repeat(9000) }, 'query', null],
  ];
  for (const [what, req, field, index] of cases) {
    await assert.rejects(predictor.rerank(req as never), (e: unknown) => {
      assert.ok(e instanceof RerankInputError, `${what}: ${String(e)}`);
      assert.equal(e.field, field, what);
      assert.equal(e.index, index, what);
      return true;
    });
  }
});

test('truncation: the model limit when asked, max_tokens_per_doc from either end, reported per document', async () => {
  const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
  const ids = (await oracle.encode(text)).getIds();
  const short = 'a';
  const shortIds = (await oracle.encode(short)).getIds();
  assert.ok(shortIds.length <= 5, 'the short document fits in 3 tokens');
  const head = await predictor.rerank({ query: short, documents: [text, short], truncate: true, maxTokensPerDoc: 3 });
  assert.deepEqual(head.truncated, [true, false]);
  assert.deepEqual(head.tokenCounts, [5, shortIds.length]);
  // The head of the text is what max_length keeps in /predictions (the query is short enough to be left whole).
  const viaPredict = await predictor.predict({ texts: [text], query: short, max_length: 5, return_dense: false, return_sparse: false });
  assert.equal(viaPredict.scores!.query_truncated, false);
  assert.ok(Math.abs(head.scores[0].hybrid - viaPredict.scores!.hybrid[0]) < 1e-6);
  // Keeping the tail scores the last three tokens: the reference pass over <s>, those three, </s>.
  const tail = await predictor.rerank({ query: short, documents: [text], truncate: true, truncationDirection: 'left', maxTokensPerDoc: 3 });
  const tailIds = [ids[0], ...ids.slice(-4, -1), ids[ids.length - 1]];
  const want = computeScore(await reference(short), await reference(tailIds), [0.4, 0.2, 0.4]);
  assert.ok(Math.abs(tail.scores[0].hybrid - want.hybrid) < 1e-5, `${tail.scores[0].hybrid} vs ${want.hybrid}`);
  assert.equal(tail.tokenCounts[0], 5);
  assert.deepEqual(tail.truncated, [true]);
});

test("BGE_M3_RERANK_WEIGHTS sets the default weights; a request's own weights still win", async () => {
  const [query, docs] = PAIRS[0];
  const saved = process.env.BGE_M3_RERANK_WEIGHTS;
  process.env.BGE_M3_RERANK_WEIGHTS = '0, 0, 1';
  try {
    const got = await predictor.rerank({ query, documents: docs, truncate: false });
    assert.deepEqual(got.weights, [0, 0, 1]);
    got.scores.forEach((s) => assert.equal(s.hybrid, s.colbert, 'all weight on ColBERT'));
    const own = await predictor.rerank({ query, documents: docs, truncate: false, weights: [1, 0, 0] });
    own.scores.forEach((s) => assert.equal(s.hybrid, s.dense));
  } finally {
    if (saved === undefined) delete process.env.BGE_M3_RERANK_WEIGHTS;
    else process.env.BGE_M3_RERANK_WEIGHTS = saved;
  }
});
