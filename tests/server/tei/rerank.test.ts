// TEI's /rerank on the real (small generated) model: every answer validated
// against TEI's OpenAPI document; the scores are /predictions' scores.hybrid
// (the oracle) and Cohere's /v2/rerank's, best first; truncate false refuses an
// over-long text as /embed does; bad input gets TEI's 4xx naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { assertTeiResponse } from '../../helpers/server/tei-openapi.ts';

let s: RunningServer;
const QUERY = 'what is a reranker';
const TEXTS = [
  'A reranker scores each passage against the query and sorts them.',
  'Le chat dort sur le canapé.',
  'Der Reranker ordnet die Passagen nach ihrer Relevanz.',
  '今日は晴れです。',
];
const LONG = 'tokens '.repeat(9000);

before(async () => {
  s = await startTestServer({ weights: await officialWeights() });
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

async function rerank(body: unknown) {
  const r = await call(s.url, 'POST', '/rerank', body);
  assert.ok(r.body !== undefined, `/rerank answered JSON: ${r.text.slice(0, 200)}`);
  assertTeiResponse('post', '/rerank', r.status, r.body);
  return r;
}

async function hybrid(texts: string[], query: string, extra: Record<string, unknown> = {}): Promise<number[]> {
  const r = await call(s.url, 'POST', '/predictions', { input: { texts, query, return_dense: false, return_sparse: false, ...extra } });
  assert.equal(r.status, 200, r.text);
  return r.body.output.scores.hybrid;
}

test("/rerank: /predictions' hybrid scores, every text, best first; return_text and raw_scores", async () => {
  const want = await hybrid(TEXTS, QUERY);
  const r = await rerank({ query: QUERY, texts: TEXTS, return_text: true, raw_scores: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.map((x: { index: number }) => x.index).sort(), [0, 1, 2, 3]);
  for (const rank of r.body) {
    assert.ok(Math.abs(rank.score - want[rank.index]) <= 1e-6, `text ${rank.index}: ${rank.score} vs ${want[rank.index]}`);
    assert.equal(rank.text, TEXTS[rank.index]);
  }
  for (let i = 1; i < r.body.length; i++) assert.ok(r.body[i - 1].score >= r.body[i].score, 'best first');
  const plain = await rerank({ query: QUERY, texts: TEXTS });
  assert.ok(
    plain.body.every((x: { text?: string }) => x.text === undefined),
    'no text unless return_text',
  );
  assert.deepEqual(
    plain.body.map((x: { score: number }) => x.score),
    r.body.map((x: { score: number }) => x.score),
    'raw_scores changes nothing',
  );
  assert.ok(Number(plain.headers.get('x-compute-tokens')) > 0);
});

test('/metrics counts TEI rerank requests and their texts', async () => {
  const counted = async () => {
    const text = (await call(s.url, 'GET', '/metrics')).text;
    const value = (name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name}{api="tei"}`))
          ?.split(' ')[1] ?? 0,
      );
    return [value('bge_m3_rerank_requests_total'), value('bge_m3_rerank_documents_total')];
  };
  const [requests, documents] = await counted();
  assert.equal((await rerank({ query: QUERY, texts: TEXTS })).status, 200);
  assert.equal((await rerank({ query: QUERY, texts: [] })).status, 400);
  assert.deepEqual(await counted(), [requests + 1, documents + TEXTS.length]);
});

test("/rerank, Cohere's /v2/rerank and Jina's /v1/rerank give the same ranking and scores; score_weights on each", async () => {
  for (const weights of [undefined, [0, 0, 1]]) {
    const want = await hybrid(TEXTS, QUERY, weights ? { score_weights: weights } : {});
    const tei = (await rerank({ query: QUERY, texts: TEXTS, score_weights: weights })).body;
    const cohere = (await call(s.url, 'POST', '/v2/rerank', { model: 'm', query: QUERY, documents: TEXTS, score_weights: weights })).body.results;
    const jina = (
      await call(s.url, 'POST', '/v1/rerank', { model: 'jina-reranker-v2-base-multilingual', query: QUERY, documents: TEXTS, score_weights: weights })
    ).body.results;
    assert.deepEqual(
      tei.map((x: { index: number }) => x.index),
      cohere.map((x: { index: number }) => x.index),
      'same order',
    );
    assert.deepEqual(
      jina.map((x: { index: number }) => x.index),
      cohere.map((x: { index: number }) => x.index),
      'same order',
    );
    tei.forEach((x: { index: number; score: number }, i: number) => {
      assert.ok(Math.abs(x.score - want[x.index]) <= 1e-6);
      assert.ok(Math.abs(cohere[i].relevance_score - want[cohere[i].index]) <= 1e-6);
      assert.ok(Math.abs(jina[i].relevance_score - want[jina[i].index]) <= 1e-6);
    });
  }
});

test('truncate false refuses an over-long text as /embed does (422 naming it); truncate true keeps its head and marks it', async () => {
  const refused = await rerank({ query: QUERY, texts: ['short', LONG] });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.body.error_type, 'Validation');
  assert.match(refused.body.error, /`texts`\[1\].*8192/);
  const embed = await call(s.url, 'POST', '/embed', { inputs: ['short', LONG] });
  assert.equal(embed.status, refused.status, 'the same status as /embed');
  const longQuery = await rerank({ query: LONG, texts: ['short'] });
  assert.equal(longQuery.status, 422);
  assert.match(longQuery.body.error, /`query`/);

  const kept = await rerank({ query: QUERY, texts: ['short', LONG], truncate: true });
  assert.equal(kept.status, 200, kept.text);
  const want = await hybrid(['short', LONG], QUERY, { max_length: 8192 });
  for (const rank of kept.body) assert.ok(Math.abs(rank.score - want[rank.index]) <= 1e-6);
  assert.deepEqual(
    kept.body.filter((x: { truncated?: boolean }) => x.truncated).map((x: { index: number }) => x.index),
    [1],
  );
});

describe("bad input: TEI's {error, error_type} with a 4xx naming the field", () => {
  const cases: [string, unknown, number, RegExp][] = [
    ['empty texts', { query: QUERY, texts: [] }, 400, /`texts`/],
    ['no texts', { query: QUERY }, 422, /`texts`/],
    ['empty query', { query: '', texts: TEXTS }, 422, /`query`/],
    ['no query', { texts: TEXTS }, 422, /`query`/],
    ['a text that is not a string', { query: QUERY, texts: ['a', { text: 'b' }] }, 422, /`texts`\[1\]/],
    ['negative weights', { query: QUERY, texts: TEXTS, score_weights: [-1, 1, 1] }, 422, /`score_weights`/],
    ['weights summing to 0', { query: QUERY, texts: TEXTS, score_weights: [0, 0, 0] }, 422, /`score_weights`/],
    ['truncate not a boolean', { query: QUERY, texts: TEXTS, truncate: 'yes' }, 422, /`truncate`/],
    ['a bad truncation_direction', { query: QUERY, texts: TEXTS, truncation_direction: 'middle' }, 422, /`truncation_direction`/],
    ['too many texts', { query: QUERY, texts: Array.from({ length: 1001 }, () => 'x') }, 422, /batch size 1001 > maximum allowed batch size 1000/],
    ['a body that is an array', [1], 422, /JSON object/],
  ];
  for (const [what, body, status, field] of cases) {
    test(what, async () => {
      const r = await rerank(body);
      assert.equal(r.status, status, r.text);
      assert.deepEqual(Object.keys(r.body).sort(), ['error', 'error_type'], r.text);
      assert.match(r.body.error, field);
    });
  }
});
