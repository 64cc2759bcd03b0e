// The OpenAI and TEI routes share the prediction slots and /v1's waiting
// queue: with every slot taken they wait, with the queue full they get their
// protocol's 429, and a client hanging up cancels its embed call. A gated
// predictor holds each embed call until the test releases it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { InputValidationError } from '../../../src/api/errors.ts';
import type { EmbedCall, EmbedReply, PredictorLike } from '../../../src/server/types.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { assertTeiResponse } from '../../helpers/server/tei-openapi.ts';

class GatedPredictor implements PredictorLike {
  started = 0;
  aborted = 0;
  readonly info = { dim: 2, maxBatchTokens: 16 };
  private gates: (() => void)[] = [];

  async setup(): Promise<void> {}

  async predict(): Promise<unknown> {
    throw new Error('not used');
  }

  async embed(req: EmbedCall, ctx: { signal?: AbortSignal } = {}): Promise<EmbedReply> {
    this.started++;
    await new Promise<void>((resolve, reject) => {
      this.gates.push(resolve);
      ctx.signal?.addEventListener(
        'abort',
        () => {
          this.aborted++;
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        },
        { once: true },
      );
    });
    return {
      tokenCounts: req.inputs.map(() => 3),
      truncated: req.inputs.map(() => false),
      dense: req.inputs.map(() => [0.6, 0.8]),
      sparse: req.inputs.map(() => ({ '7': 0.5 })),
    };
  }

  releaseAll(): void {
    for (const g of this.gates.splice(0)) g();
  }
}

test("with the slot taken and no queue: OpenAI's and TEI's 429; a client hanging up frees the slot", async () => {
  const predictor = new GatedPredictor();
  const s = await startTestServer({ predictor, config: { maxConcurrency: 1, v1QueueMax: 0 } });
  try {
    await waitForHealth(s.url, ['READY']);
    const hangUp = new AbortController();
    const first = fetch(`${s.url}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ input: 'a' }), signal: hangUp.signal }).catch((e: Error) => e);
    await eventually('the first call runs', () => predictor.started === 1 || undefined);

    const client = new OpenAI({ apiKey: 'local', baseURL: `${s.url}/v1`, maxRetries: 0 });
    await assert.rejects(client.embeddings.create({ model: 'm', input: 'b' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.equal(err.headers?.get('retry-after'), '1');
      return true;
    });
    const tei = await call(s.url, 'POST', '/embed', { inputs: 'b' });
    assert.equal(tei.status, 429);
    assert.equal(tei.body.error_type, 'Overloaded');
    assertTeiResponse('post', '/embed', 429, tei.body);

    hangUp.abort();
    assert.ok((await first) instanceof Error);
    await eventually('the hung-up call is canceled', () => predictor.aborted === 1 || undefined);
    await waitForHealth(s.url, ['READY']);
  } finally {
    predictor.releaseAll();
    await s.close();
  }
});

test('with the slot taken and room in the queue, calls wait for it and then succeed', async () => {
  const predictor = new GatedPredictor();
  const s = await startTestServer({ predictor, config: { maxConcurrency: 1, v1QueueMax: 4 } });
  try {
    await waitForHealth(s.url, ['READY']);
    const first = call(s.url, 'POST', '/v1/embeddings', { input: 'a', encoding_format: 'float' });
    await eventually('the first call runs', () => predictor.started === 1 || undefined);
    const second = call(s.url, 'POST', '/embed_sparse', { inputs: ['b', 'c'] });
    const third = call(s.url, 'POST', '/embed', { inputs: 'd' });
    await eventually(
      'the others wait',
      async () => ((await call(s.url, 'GET', '/health-check')).body.status === 'BUSY' && predictor.started === 1) || undefined,
    );
    for (const n of [2, 3]) {
      predictor.releaseAll();
      await eventually(`call ${n} gets the slot`, () => predictor.started === n || undefined);
    }
    predictor.releaseAll();
    const [a, b, c] = await Promise.all([first, second, third]);
    assert.deepEqual(a.body.data[0].embedding, [0.6, 0.8]);
    assert.deepEqual(b.body, [[{ index: 7, value: 0.5 }], [{ index: 7, value: 0.5 }]]);
    assertTeiResponse('post', '/embed_sparse', 200, b.body);
    assert.deepEqual(c.body, [[0.6, 0.8]]);
  } finally {
    predictor.releaseAll();
    await s.close();
  }
});

test("a refused input from the Predictor is the protocol's invalid-request error; a model failure says nothing internal", async () => {
  const predictor: PredictorLike = {
    info: { dim: 2, maxBatchTokens: 16 },
    async setup() {},
    async predict() {
      throw new Error('not used');
    },
    async embed(req) {
      if (req.inputs[0] === 'refuse')
        throw new InputValidationError([{ field: 'texts', loc: ['texts', 0], type: 'value_error', message: 'texts[0] is longer than the character limit' }]);
      throw new Error('ORT failed at /secret/path/model.onnx');
    },
  };
  const s = await startTestServer({ predictor });
  try {
    await waitForHealth(s.url, ['READY']);
    const refused = await call(s.url, 'POST', '/v1/embeddings', { input: 'refuse' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /character limit/);
    const teiRefused = await call(s.url, 'POST', '/embed', { inputs: 'refuse' });
    assert.equal(teiRefused.status, 422);
    assertTeiResponse('post', '/embed', 422, teiRefused.body);
    const failed = await call(s.url, 'POST', '/v1/embeddings', { input: 'x' });
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.type, 'server_error');
    const teiFailed = await call(s.url, 'POST', '/embed_sparse', { inputs: 'x' });
    assert.equal(teiFailed.status, 424);
    assertTeiResponse('post', '/embed_sparse', 424, teiFailed.body);
    for (const r of [failed, teiFailed]) assert.doesNotMatch(r.text, /secret|model\.onnx|at /);
  } finally {
    await s.close();
  }
});

test("a body over the size limit is a 413 in each protocol's error shape", async () => {
  const s = await startTestServer({ predictor: new GatedPredictor(), config: { maxBodyBytes: 1024 } });
  try {
    const big = 'x'.repeat(2048);
    const openai = await call(s.url, 'POST', '/v1/embeddings', { input: big });
    assert.equal(openai.status, 413);
    assert.equal(openai.body.error.type, 'invalid_request_error');
    assert.match(openai.body.error.message, /larger than this server's limit/);
    const tei = await call(s.url, 'POST', '/embed', { inputs: big });
    assert.equal(tei.status, 413);
    assertTeiResponse('post', '/embed', 413, tei.body);
  } finally {
    await s.close();
  }
});
