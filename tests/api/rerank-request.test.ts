// The rerank contract's pure parts: weights (request and BGE_M3_RERANK_WEIGHTS),
// the request checks and the request-size rule, the ranking order and top_n.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkRerankRequest, parseWeights, RERANK_MAX_DOCUMENTS, RerankInputError, rerankWeights, type RerankRequest } from '../../src/api/rerank-request.ts';
import { rankOrder, topRanked } from '../../src/api/rerank-scores.ts';

const schema = JSON.parse(readFileSync(new URL('../../schema.json', import.meta.url), 'utf8'));

test("the default weights are schema.json's score_weights default unless BGE_M3_RERANK_WEIGHTS says otherwise", () => {
  assert.deepEqual(rerankWeights({}), schema.Input.properties.score_weights.default);
  assert.deepEqual(rerankWeights({ BGE_M3_RERANK_WEIGHTS: '' }), schema.Input.properties.score_weights.default);
  assert.deepEqual(rerankWeights({ BGE_M3_RERANK_WEIGHTS: '1,0,0' }), [1, 0, 0]);
  assert.deepEqual(rerankWeights({ BGE_M3_RERANK_WEIGHTS: ' [0.5, 0.25, 0.25] ' }), [0.5, 0.25, 0.25]);
  for (const bad of ['1,2', '1,2,3,4', '0,0,0', '-1,1,1', 'a,b,c', '1,,2', 'Infinity,1,1']) {
    assert.throws(() => rerankWeights({ BGE_M3_RERANK_WEIGHTS: bad }), /BGE_M3_RERANK_WEIGHTS/, bad);
  }
});

test('request weights: three finite numbers >= 0 with a positive sum; null means the default', () => {
  assert.equal(parseWeights(undefined), undefined);
  assert.equal(parseWeights(null), undefined);
  assert.deepEqual(parseWeights([0, 0, 2]), [0, 0, 2]);
  for (const bad of [[0, 0, 0], [1, -1, 1], [1, 1], [1, 1, 1, 1], [1, '1', 1], 'x', {}, [NaN, 1, 1]]) {
    assert.throws(
      () => parseWeights(bad),
      (e: unknown) => e instanceof RerankInputError && e.field === 'weights',
      JSON.stringify(bad),
    );
  }
});

function field(req: Partial<RerankRequest>): string | undefined {
  try {
    checkRerankRequest({ query: 'q', documents: ['d'], truncate: true, ...req } as RerankRequest);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof RerankInputError);
    return e.index === null ? e.field : `${e.field}[${e.index}]`;
  }
}

test('checkRerankRequest names the field at fault', () => {
  assert.equal(field({}), undefined);
  assert.equal(field({ query: '' }), 'query');
  assert.equal(field({ query: undefined }), 'query');
  assert.equal(field({ documents: [] }), 'documents');
  assert.equal(field({ documents: ['a', 'b', 5 as unknown as string] }), 'documents[2]');
  assert.equal(field({ documents: Array(RERANK_MAX_DOCUMENTS).fill('x') }), undefined);
  assert.equal(field({ documents: Array(RERANK_MAX_DOCUMENTS + 1).fill('x') }), 'documents');
  assert.equal(field({ maxTokensPerDoc: 0 }), 'max_tokens_per_doc');
  assert.equal(field({ maxTokensPerDoc: 2.5 }), 'max_tokens_per_doc');
  assert.equal(field({ weights: [0, 0, 0] }), 'weights');
});

test('the request-size rule of /predictions (BGE_M3_MAX_REQUEST_CHARS) counts the documents, then the query', () => {
  const saved = process.env.BGE_M3_MAX_REQUEST_CHARS;
  process.env.BGE_M3_MAX_REQUEST_CHARS = '10';
  try {
    assert.equal(field({ documents: ['12345', '1234'], query: 'q' }), undefined, '10 characters exactly');
    assert.equal(field({ documents: ['12345', '123456'] }), 'documents[1]');
    assert.equal(field({ documents: ['12345', '1234'], query: 'qq' }), 'query');
  } finally {
    if (saved === undefined) delete process.env.BGE_M3_MAX_REQUEST_CHARS;
    else process.env.BGE_M3_MAX_REQUEST_CHARS = saved;
  }
});

test('ranking: best first, equal scores in request order; top_n keeps the first n', () => {
  assert.deepEqual(rankOrder([0.1, 0.9, 0.5, 0.9, -1]), [1, 3, 2, 0, 4]);
  assert.deepEqual(topRanked([0.1, 0.9, 0.5], 2), [1, 2]);
  assert.deepEqual(topRanked([0.1, 0.9, 0.5], 10), [1, 2, 0]);
  assert.deepEqual(topRanked([0.1, 0.9, 0.5]), [1, 2, 0]);
});
