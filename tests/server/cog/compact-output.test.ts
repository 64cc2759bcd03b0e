// sparse_top_k, sparse_min_weight and colbert_pool_factor over HTTP: bad
// values are one Cog 422 naming each field and what it must be; good ones
// shrink the output (the numbers themselves: tests/api/compact-output.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';

describe('compact outputs over HTTP', () => {
  let s: RunningServer;

  before(async () => {
    s = await startTestServer({ weights: await officialWeights() });
    await waitForHealth(s.url, ['READY']);
  });

  after(() => s?.close());

  test("bad values are a 422 in Cog's shape naming each field and the fix", async () => {
    // Sent as text: JSON.stringify would write 1e309 (Infinity) as null.
    const body = '{"input": {"texts": ["a"], "sparse_top_k": 0, "sparse_min_weight": 1e309, "colbert_pool_factor": 2.5}}';
    const r = await call(s.url, 'POST', '/predictions', body);
    assert.equal(r.status, 422, r.text);
    const byField = Object.fromEntries((r.body.detail as { loc: string[]; msg: string }[]).map((d) => [d.loc.join('.'), d.msg]));
    assert.deepEqual(byField, {
      'body.input.sparse_top_k': 'sparse_top_k must be at least 1 (got number 0)',
      'body.input.colbert_pool_factor': 'colbert_pool_factor must be an integer (got number 2.5)',
      'body.input.sparse_min_weight':
        'sparse_min_weight must be a finite number at least 0 (got Infinity): a number like 1e309 is too large for a 64-bit float; leave it out to keep every weight',
    });
    const negative = await call(s.url, 'POST', '/predictions', { input: { texts: ['a'], sparse_min_weight: -1, sparse_top_k: -2 } });
    assert.equal(negative.status, 422);
    assert.deepEqual(negative.body.detail.map((d: { msg: string }) => d.msg).sort(), [
      'sparse_min_weight must be at least 0 (got number -1)',
      'sparse_top_k must be at least 1 (got number -2)',
    ]);
  });

  test('good values shrink lexical_weights and colbert_vecs', async () => {
    const text = 'The quick brown fox jumps over the lazy dog near the river bank at dawn';
    const r = await call(s.url, 'POST', '/predictions', { input: { texts: [text], sparse_top_k: 2, colbert_pool_factor: 4, return_colbert: true } });
    assert.equal(r.status, 200, r.text);
    const out = r.body.output;
    assert.equal(Object.keys(out.lexical_weights[0]).length, 2);
    assert.equal(out.colbert_vecs[0].length, Math.floor((out.token_counts[0] - 1) / 4));
  });
});
