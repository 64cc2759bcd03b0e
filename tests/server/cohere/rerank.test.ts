// Cohere's and Jina's rerank API on the real (small generated) model, through
// the official `cohere-ai` client (v1 and v2) and plain HTTP: every
// relevance_score is /predictions' scores.hybrid for the same texts, query and
// weights (the oracle), best first, top_n and return_documents honoured; bad
// input gets Cohere's 400 {"message"} naming the field, never a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CohereClient, CohereClientV2, Cohere } from 'cohere-ai';
import { RERANK_MAX_DOCUMENTS } from '../../../src/api/rerank-request.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { parseExposition } from '../../helpers/prom-text.ts';

let s: RunningServer;
const QUERY = 'What is BGE M3?';
const DOCS = [
  'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.',
  'BM25 is a bag-of-words retrieval function that ranks documents by the query terms appearing in each.',
  'Paris est la capitale de la France.',
  'BGE-M3 は多言語の埋め込みモデルです。',
  'The weather is nice today.',
];

before(async () => {
  s = await startTestServer({ weights: await officialWeights() });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

interface Scores {
  dense: number[];
  sparse: number[];
  colbert: number[];
  hybrid: number[];
  query_token_count: number;
}

/** The oracle: /predictions' scores for the same texts and query. */
async function predictionScores(texts: string[], query: string, extra: Record<string, unknown> = {}): Promise<Scores & { token_counts: number[] }> {
  const r = await call(s.url, 'POST', '/predictions', { input: { texts, query, return_dense: false, return_sparse: false, ...extra } });
  assert.equal(r.status, 200, r.text);
  return { ...r.body.output.scores, token_counts: r.body.output.token_counts };
}

/** Asserts `results` are the documents ranked by `hybrid`, best first, `n` of them, with their own scores. */
function assertRanking(results: { index: number; relevanceScore?: number; relevance_score?: number }[], hybrid: number[], n: number, what: string): void {
  assert.equal(results.length, n, `${what}: ${n} results`);
  const seen = new Set<number>();
  for (const r of results) {
    const score = r.relevanceScore ?? r.relevance_score!;
    assert.ok(Math.abs(score - hybrid[r.index]) <= 1e-6, `${what}: document ${r.index} scored ${score}, /predictions says ${hybrid[r.index]}`);
    seen.add(r.index);
  }
  assert.equal(seen.size, n, `${what}: no document twice`);
  const scores = results.map((r) => r.relevanceScore ?? r.relevance_score!);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], `${what}: sorted best first`);
  // The ones left out score no better than the last one kept.
  const worstKept = Math.min(...scores);
  hybrid.forEach((h, i) => {
    if (!seen.has(i)) assert.ok(h <= worstKept + 1e-6, `${what}: document ${i} (${h}) was better than a kept one`);
  });
}

describe('the cohere-ai client', () => {
  test("CohereClient.rerank (v1): /predictions' hybrid scores, sorted, top_n and return_documents honoured", async () => {
    const want = await predictionScores(DOCS, QUERY);
    const client = new CohereClient({ token: 'local', baseUrl: s.url, maxRetries: 0 });
    const docs = DOCS.map((text, i) => (i % 2 ? { text, id: `doc-${i}` } : text));
    const all = await client.rerank({ model: 'rerank-v3.5', query: QUERY, documents: docs });
    assertRanking(all.results, want.hybrid, DOCS.length, 'v1, all');
    assert.ok(
      all.results.every((r) => r.document === undefined),
      'no documents unless asked',
    );
    assert.deepEqual(all.meta?.billedUnits, { searchUnits: 1 });
    assert.equal(all.meta?.apiVersion?.version, '1');

    const top = await client.rerank({ query: QUERY, documents: docs, topN: 2, returnDocuments: true });
    assertRanking(top.results, want.hybrid, 2, 'v1, top 2');
    for (const r of top.results) {
      assert.equal(r.document?.text, DOCS[r.index], "the document's text");
      if (r.index % 2) assert.equal((r.document as unknown as Record<string, unknown>).id, `doc-${r.index}`, 'an object document comes back whole');
    }
  });

  test('CohereClientV2.rerank: the same scores; top_n honoured', async () => {
    const want = await predictionScores(DOCS, QUERY);
    const client = new CohereClientV2({ token: 'local', baseUrl: s.url, maxRetries: 0 });
    const res = await client.rerank({ model: 'BAAI/bge-m3', query: QUERY, documents: DOCS, topN: 3 });
    assertRanking(res.results, want.hybrid, 3, 'v2, top 3');
    assert.equal(res.meta?.apiVersion?.version, '2');
    const all = await client.rerank({ model: 'BAAI/bge-m3', query: QUERY, documents: DOCS, topN: 99 });
    assertRanking(all.results, want.hybrid, DOCS.length, 'v2, top_n above the number of documents');
  });

  test('a bad request raises the client\'s BadRequestError with Cohere\'s {"message"} naming the field', async () => {
    const client = new CohereClientV2({ token: 'local', baseUrl: s.url, maxRetries: 0 });
    await assert.rejects(client.rerank({ model: 'm', query: QUERY, documents: [] }), (e: unknown) => {
      assert.ok(e instanceof Cohere.BadRequestError, String(e));
      assert.equal(e.statusCode, 400);
      assert.match((e.body as { message: string }).message, /documents/);
      return true;
    });
  });
});

test("a Jina-shaped request (plain HTTP): the same scores, Jina's usage and model, documents as {text}", async () => {
  const want = await predictionScores(DOCS, QUERY);
  const r = await call(s.url, 'POST', '/v1/rerank', {
    model: 'jina-reranker-v2-base-multilingual',
    query: QUERY,
    documents: DOCS,
    top_n: 4,
    return_documents: true,
  });
  assert.equal(r.status, 200, r.text);
  assertRanking(r.body.results, want.hybrid, 4, 'jina');
  for (const res of r.body.results) assert.deepEqual(res.document, { text: DOCS[res.index] });
  assert.equal(r.body.model, 'jina-reranker-v2-base-multilingual');
  const tokens = want.token_counts.reduce((a, b) => a + b, want.query_token_count);
  assert.deepEqual(r.body.usage, { total_tokens: tokens }, 'the tokens run through the model: documents and query');
  assert.equal(typeof r.body.id, 'string');
});

test('each result carries its dense, sparse and ColBERT scores; score_weights chooses the hybrid mix on v1 and v2', async () => {
  const weights = [1, 0.5, 0];
  const want = await predictionScores(DOCS, QUERY, { score_weights: weights });
  for (const path of ['/v1/rerank', '/v2/rerank']) {
    const r = await call(s.url, 'POST', path, { model: 'm', query: QUERY, documents: DOCS, score_weights: weights });
    assert.equal(r.status, 200, r.text);
    assertRanking(r.body.results, want.hybrid, DOCS.length, `${path} with score_weights`);
    assert.deepEqual(r.body.meta.score_weights, weights);
    for (const res of r.body.results) {
      for (const k of ['dense', 'sparse', 'colbert'] as const) {
        assert.ok(Math.abs(res.scores[k] - want[k][res.index]) <= 1e-6, `${path}: ${k} score of document ${res.index}`);
      }
    }
  }
  const defaults = await call(s.url, 'POST', '/v2/rerank', { model: 'm', query: QUERY, documents: DOCS });
  const schemaDefault = await predictionScores(DOCS, QUERY);
  assertRanking(defaults.body.results, schemaDefault.hybrid, DOCS.length, "default weights are /predictions' default");
});

test("max_tokens_per_doc (v2) truncates documents, as /predictions' max_length does, and says so in meta.warnings", async () => {
  const long = 'retrieval '.repeat(40);
  const docs = [long, DOCS[0]];
  const keep = 6;
  const r = await call(s.url, 'POST', '/v2/rerank', { model: 'm', query: 'BGE', documents: docs, max_tokens_per_doc: keep });
  assert.equal(r.status, 200, r.text);
  // The query is shorter than keep + 2 tokens, so max_length cuts only the documents.
  const want = await predictionScores(docs, 'BGE', { max_length: keep + 2 });
  assert.ok(want.query_token_count <= keep + 2);
  assertRanking(r.body.results, want.hybrid, 2, 'truncated documents');
  const warnings: string[] = r.body.meta.warnings;
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0], /documents\[0\], documents\[1\]/);
  assert.match(warnings[0], /max_tokens_per_doc \(6 tokens\)/);
});

describe('bad input: Cohere\'s 400 {"message"} naming the field, never a 5xx', () => {
  const ok = { model: 'm', query: QUERY, documents: DOCS };
  const cases: [string, string, unknown, RegExp][] = [
    ['/v1/rerank', 'empty documents', { ...ok, documents: [] }, /documents/],
    ['/v2/rerank', 'empty documents', { ...ok, documents: [] }, /documents/],
    ['/v1/rerank', 'no documents', { model: 'm', query: QUERY }, /documents/],
    ['/v1/rerank', 'empty query', { ...ok, query: '' }, /query/],
    ['/v2/rerank', 'white-space query', { ...ok, query: '  \n' }, /query/],
    ['/v2/rerank', 'no query', { model: 'm', documents: DOCS }, /query/],
    ['/v1/rerank', 'top_n 0', { ...ok, top_n: 0 }, /top_n/],
    ['/v2/rerank', 'top_n 1.5', { ...ok, top_n: 1.5 }, /top_n/],
    ['/v2/rerank', 'top_n a string', { ...ok, top_n: '3' }, /top_n/],
    ['/v1/rerank', 'a number document', { ...ok, documents: ['a', 7] }, /documents\[1\]/],
    ['/v1/rerank', 'an object without text', { ...ok, documents: ['a', { title: 'x' }] }, /documents\[1\]\.text/],
    ['/v1/rerank', 'an object with a non-string text', { ...ok, documents: [{ text: ['x'] }] }, /documents\[0\]\.text/],
    ['/v2/rerank', 'an object document on v2', { ...ok, documents: [{ text: 'x' }] }, /documents\[0\]/],
    ['/v1/rerank', 'negative weights', { ...ok, score_weights: [1, -1, 0] }, /score_weights/],
    ['/v2/rerank', 'weights summing to 0', { ...ok, score_weights: [0, 0, 0] }, /score_weights/],
    ['/v2/rerank', 'two weights', { ...ok, score_weights: [1, 1] }, /score_weights/],
    ['/v2/rerank', 'max_tokens_per_doc 0', { ...ok, max_tokens_per_doc: 0 }, /max_tokens_per_doc/],
    ['/v1/rerank', 'max_chunks_per_doc a string', { ...ok, max_chunks_per_doc: 'x' }, /max_chunks_per_doc/],
    ['/v1/rerank', 'return_documents a string', { ...ok, return_documents: 'yes' }, /return_documents/],
    ['/v1/rerank', 'too many documents', { ...ok, documents: Array.from({ length: RERANK_MAX_DOCUMENTS + 1 }, () => 'x') }, /documents.*1000/],
    ['/v1/rerank', 'a body that is an array', [1, 2], /body/],
  ];
  for (const [path, what, body, field] of cases) {
    test(`${path}: ${what}`, async () => {
      const r = await call(s.url, 'POST', path, body);
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(Object.keys(r.body), ['message'], r.text);
      assert.match(r.body.message, field);
    });
  }

  test("malformed JSON and a wrong method get Cohere's shape too", async () => {
    const bad = await call(s.url, 'POST', '/v2/rerank', '{"query": ');
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body), ['message']);
    const get = await call(s.url, 'GET', '/v1/rerank');
    assert.equal(get.status, 405);
    assert.deepEqual(Object.keys(get.body), ['message']);
  });

  test('max_chunks_per_doc is accepted and changes nothing', async () => {
    const a = await call(s.url, 'POST', '/v1/rerank', { ...ok, max_chunks_per_doc: 3 });
    const b = await call(s.url, 'POST', '/v1/rerank', ok);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.body.results, b.body.results);
  });
});

test('/metrics counts rerank requests and their documents by API', async () => {
  const read = async () => parseExposition((await call(s.url, 'GET', '/metrics')).text).samples;
  const value = (samples: Awaited<ReturnType<typeof read>>, name: string, api: string) =>
    samples.find((x) => x.name === name && x.labels.api === api)?.value ?? 0;
  const before = await read();
  assert.equal((await call(s.url, 'POST', '/v1/rerank', { query: QUERY, documents: DOCS })).status, 200);
  assert.equal((await call(s.url, 'POST', '/v2/rerank', { model: 'm', query: QUERY, documents: DOCS.slice(0, 2) })).status, 200);
  assert.equal((await call(s.url, 'POST', '/v2/rerank', { model: 'm', query: '', documents: DOCS })).status, 400);
  const now = await read();
  const delta = (name: string, api: string) => value(now, name, api) - value(before, name, api);
  assert.equal(delta('bge_m3_rerank_requests_total', 'cohere_v1'), 1);
  assert.equal(delta('bge_m3_rerank_documents_total', 'cohere_v1'), DOCS.length);
  assert.equal(delta('bge_m3_rerank_requests_total', 'cohere_v2'), 1, 'a refused request is not counted');
  assert.equal(delta('bge_m3_rerank_documents_total', 'cohere_v2'), 2);
});
