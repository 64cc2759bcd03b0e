// TEI's routes on the real (small generated) model: every response validated
// against TEI's OpenAPI document; /embed and /embed_sparse equal /predictions'
// dense_vecs and lexical_weights; /tokenize and /decode equal the Rust
// tokenizers library (the oracle) and the project's tokenizer; and a real TEI
// client, @huggingface/inference, pointed at the local /embed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { InferenceClient } from '@huggingface/inference';
import { Tokenizer } from 'tokenizers';
import { BgeTokenizer } from '../../../src/engine/tokenizer/bge-tokenizer.ts';
import type { RunningServer } from '../../../src/server/start.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { assertTeiResponse } from '../../helpers/server/tei-openapi.ts';

let s: RunningServer;
let tokenizer: BgeTokenizer;
let oracle: Tokenizer;
const TEXTS = ['What is BGE M3?', 'BM25 is a bag-of-words retrieval function', 'héllo wörld 😀 ｆｕｌｌ'];
const LONG = 'tokens '.repeat(9000);

before(async () => {
  const weights = await officialWeights();
  s = await startTestServer({ weights });
  tokenizer = await BgeTokenizer.fromFile(path.join(weights, 'tokenizer.json'));
  oracle = Tokenizer.fromFile(path.join(weights, 'tokenizer.json'));
  await waitForHealth(s.url, ['READY']);
});

after(() => s.close());

/** POSTs (or GETs) a TEI route and validates the answer against TEI's document. */
async function tei(method: 'get' | 'post', route: string, body?: unknown) {
  const r = await call(s.url, method.toUpperCase(), route, body);
  assert.ok(r.body !== undefined, `${route} answered JSON: ${r.text.slice(0, 200)}`);
  assertTeiResponse(method, route, r.status, r.body);
  return r;
}

async function predictions(input: Record<string, unknown>) {
  const r = await call(s.url, 'POST', '/predictions', { input });
  assert.equal(r.status, 200, r.text);
  return r.body.output;
}

function assertClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: count`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i].length, expected[i].length, `${what}: dimension of ${i}`);
    const worst = Math.max(...expected[i].map((v, j) => Math.abs(v - actual[i][j])));
    assert.ok(worst <= 1e-6, `${what}: vector ${i} differs by ${worst}`);
  }
}

test("/embed returns /predictions' dense_vecs, for one input and a batch", async () => {
  const want = (await predictions({ texts: TEXTS, return_sparse: false })).dense_vecs;
  const batch = await tei('post', '/embed', { inputs: TEXTS });
  assert.equal(batch.status, 200);
  assertClose(batch.body, want, 'batch');
  const single = await tei('post', '/embed', { inputs: TEXTS[0], normalize: true, truncate: false, prompt_name: null });
  assertClose(single.body, [want[0]], 'single');
  assert.equal(single.headers.get('x-compute-tokens'), String((await predictions({ texts: [TEXTS[0]] })).token_counts[0]));
});

test("/embed_sparse returns lexical_weights as TEI's sorted {index, value} lists", async () => {
  const want: Record<string, number>[] = (await predictions({ texts: TEXTS, return_dense: false })).lexical_weights;
  const r = await tei('post', '/embed_sparse', { inputs: TEXTS });
  assert.equal(r.status, 200);
  const got = (r.body as { index: number; value: number }[][]).map((list) => {
    const ids = list.map((x) => x.index);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'indices ascend',
    );
    return Object.fromEntries(list.map((x) => [String(x.index), x.value]));
  });
  assert.deepEqual(got, want);
});

test('token-id inputs embed as the text they came from, with or without <s> and </s>', async () => {
  const tokens = (await tei('post', '/tokenize', { inputs: TEXTS[1] })).body[0] as { id: number }[];
  const withSpecials = tokens.map((t) => t.id);
  const content = withSpecials.slice(1, -1);
  const r = await tei('post', '/embed', { inputs: [TEXTS[1], withSpecials, content] });
  assert.equal(r.status, 200);
  assertClose([r.body[1], r.body[2]], [r.body[0], r.body[0]], 'ids vs text');
  const single = await tei('post', '/embed', { inputs: content });
  assertClose(single.body, [r.body[0]], 'a bare id array is one input');
});

test("/tokenize: the project tokenizer's ids, TEI's token objects with UTF-8 byte offsets that slice the input", async () => {
  const r = await tei('post', '/tokenize', { inputs: TEXTS });
  assert.equal(r.status, 200);
  for (const [i, text] of TEXTS.entries()) {
    const tokens = r.body[i] as { id: number; text: string; special: boolean; start: number | null; stop: number | null }[];
    assert.deepEqual(
      tokens.map((t) => t.id),
      tokenizer.encode(text, 100_000).ids,
      `ids of ${text}`,
    );
    const enc = await oracle.encode(text);
    assert.deepEqual(
      tokens.map((t) => t.id),
      enc.getIds(),
      "ids equal the Rust library's",
    );
    const bytes = Buffer.from(text, 'utf8');
    const cpToByte = [0];
    for (const ch of text) cpToByte.push(cpToByte.at(-1)! + Buffer.byteLength(ch));
    tokens.forEach((t, k) => {
      if (t.special) {
        assert.deepEqual([t.start, t.stop, t.text], [null, null, k === 0 ? '<s>' : '</s>']);
        return;
      }
      assert.equal(t.text, bytes.subarray(t.start!, t.stop!).toString('utf8'), 'text is the input between the offsets');
      const [a, b] = enc.getOffsets()[k];
      assert.deepEqual([t.start, t.stop], [cpToByte[a], cpToByte[b]], `offsets of token ${k} in ${text}`);
    });
  }
  const plain = await tei('post', '/tokenize', { inputs: TEXTS[0], add_special_tokens: false });
  assert.deepEqual(
    plain.body[0].map((t: { id: number }) => t.id),
    tokenizer.encode(TEXTS[0], 100).ids.slice(1, -1),
  );
});

test('/tokenize takes a text of the full 200,000 characters (plain words: one stretch the normalizer leaves whole)', async () => {
  const text = 'hello world '.repeat(20_000).slice(0, 200_000);
  const r = await tei('post', '/tokenize', { inputs: text, add_special_tokens: false });
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body[0].map((t: { id: number }) => t.id),
    tokenizer.encode(text, 300_000).ids.slice(1, -1),
  );
  assert.equal(r.body[0].at(-1).stop, 200_000, 'the last token ends at the last byte');
});

test("/decode equals the Rust library's decode, one list or a batch, with and without special tokens", async () => {
  const ids = (await oracle.encode(TEXTS[2])).getIds();
  const one = await tei('post', '/decode', { ids });
  assert.deepEqual(one.body, [await oracle.decode(ids, true)]);
  const batch = await tei('post', '/decode', { ids: [ids, ids.slice(1, 3)], skip_special_tokens: false });
  assert.deepEqual(batch.body, [await oracle.decode(ids, false), await oracle.decode(ids.slice(1, 3), false)]);
});

test("/info reports TEI's fields for this model", async () => {
  const r = await tei('get', '/info');
  assert.equal(r.status, 200);
  assert.equal(r.body.model_id, 'BAAI/bge-m3');
  assert.equal(r.body.model_dtype, 'float32');
  assert.deepEqual(
    r.body.model_type,
    { reranker: { id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } } },
    "TEI's report of a reranker: /rerank answers (tests/server/tei/rerank.test.ts)",
  );
  assert.equal(r.body.max_input_length, 8192);
  assert.equal(r.body.max_client_batch_size, 1024);
  assert.equal(r.body.auto_truncate, false);
});

test('/predict answers as TEI does for a model without a classifier head: 424', async () => {
  const predict = await tei('post', '/predict', { inputs: 'x' });
  assert.equal(predict.status, 424);
  assert.match(predict.body.error, /not a classifier model/);
});

test('an over-long input: 422 naming it and the limit; truncate keeps the head, truncation_direction left the tail', async () => {
  const refused = await tei('post', '/embed', { inputs: ['short', LONG] });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error_type, 'Validation');
  assert.match(refused.body.error, /`inputs`\[1\].*more than 8192 tokens.*8192/);
  const head = await tei('post', '/embed', { inputs: [LONG], truncate: true });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('x-compute-tokens'), '8192');
  assertClose(head.body, (await predictions({ texts: [LONG], max_length: 8192, return_sparse: false })).dense_vecs, 'right truncation = /predictions');
  const text = 'first words then ' + 'tokens '.repeat(9000) + 'last words';
  const all = tokenizer.encode(text, 100_000).ids;
  const tail = [all[0], ...all.slice(-8191)];
  const left = await tei('post', '/embed', { inputs: [text, tail], truncate: true, truncation_direction: 'Left' });
  assert.equal(left.status, 200);
  assertClose([left.body[0]], [left.body[1]], 'left truncation keeps the last 8190 tokens');
});

test("bad requests get TEI's error bodies and status codes", async () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['/embed', { inputs: [] }, 400, 'Empty', /cannot be empty/],
    ['/embed', { inputs: 'x', prompt_name: 'query' }, 422, 'Validation', /prompt_name.*no Sentence Transformers prompts/],
    ['/embed', { inputs: 'x', normalize: false }, 422, 'Validation', /normalize: false/],
    ['/embed', { inputs: 'x', dimensions: 8 }, 422, 'Validation', /not a Matryoshka model/],
    ['/embed', { inputs: 'x', truncation_direction: 'middle' }, 422, 'Validation', /truncation_direction/],
    ['/embed', { inputs: [[1, 99999999]] }, 422, 'Validation', /token id 99999999.*vocabulary/],
    ['/embed', { inputs: Array(1025).fill('x') }, 422, 'Validation', /batch size 1025 > maximum allowed batch size 1024/],
    ['/embed', { inputs: [{}] }, 422, 'Validation', /inputs`\[0\] must be a string/],
    ['/embed', '{"inputs": ', 422, 'Validation', /not valid JSON/],
    ['/embed_sparse', { nothing: 1 }, 422, 'Validation', /inputs/],
    ['/tokenize', { inputs: [] }, 400, 'Empty', /cannot be empty/],
    ['/tokenize', { inputs: 'x'.repeat(200_001) }, 422, 'Validation', /at most 200000 characters/],
    ['/decode', { ids: [] }, 400, 'Empty', /input_ids` cannot be empty/],
    ['/decode', { ids: [5, 9999999] }, 422, 'Tokenizer', /token id 9999999 is not in the vocabulary/],
    ['/decode', { ids: ['a'] }, 422, 'Validation', /token ids/],
  ];
  for (const [route, body, status, type, message] of cases) {
    const r = await tei('post', route, body);
    assert.equal(r.status, status, `${route} ${JSON.stringify(body).slice(0, 60)}: ${r.text.slice(0, 200)}`);
    assert.equal(r.body.error_type, type);
    assert.match(r.body.error, message);
  }
  const get = await call(s.url, 'GET', '/embed');
  assert.equal(get.status, 405);
  assert.equal(get.body.error_type, 'Validation');
});

test('a real TEI client: @huggingface/inference featureExtraction pointed at /embed', async () => {
  const client = new InferenceClient();
  const out = await client.featureExtraction({ endpointUrl: `${s.url}/embed`, inputs: TEXTS.slice(0, 2) });
  const want = (await tei('post', '/embed', { inputs: TEXTS.slice(0, 2) })).body;
  assertClose(out as number[][], want, 'featureExtraction');
});

test('POST / is /embed, as TEI serves an embedding model; the other routes keep their own error shapes', async () => {
  const root = await call(s.url, 'POST', '/', { inputs: TEXTS[0] });
  assert.equal(root.status, 200);
  assertClose(root.body, (await tei('post', '/embed', { inputs: TEXTS[0] })).body, 'POST /');
  const cog = await call(s.url, 'POST', '/predictions', '{"input": ');
  assert.equal(cog.status, 422);
  assert.ok(Array.isArray(cog.body.detail), 'Cog\'s {"detail": [...]}');
  const v1 = await call(s.url, 'POST', '/v1/predictions', '{"input": ');
  assert.deepEqual(Object.keys(v1.body).sort(), ['detail', 'status', 'title']);
  assert.equal((await call(s.url, 'GET', '/')).status, 200, "GET / is still Cog's");
});
