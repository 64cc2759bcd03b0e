// dense_pooling "mcls" on the generated model: the dense vector equals a hand
// computation (the bare ONNX backbone run on ids with an <s> in front of every
// 256 tokens, then the normalized mean of the hidden states at the <s>
// positions); the sparse and ColBERT outputs and short texts are unchanged;
// bad combinations are 422s that name the field and the fix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { asFloatOutput } from '../../src/api/output-formats.ts';
import { InputValidationError } from '../../src/api/errors.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { ensureTestModels, type TestModels } from '../helpers/model/test-models.ts';
import { maxAbsDiff, openLayout, run } from '../helpers/model/run-model.ts';

let models: TestModels;
let predictor: Predictor;
let tokenizer: BgeTokenizer;

// About 600, 300 and 100 tokens: three, two and one <s>.
const TEXTS = ['BGE M3 is an embedding model. '.repeat(45), 'Привет, мир! Γειά σου κόσμε. '.repeat(14), 'hello world '.repeat(9)];

before(async () => {
  models = await ensureTestModels();
  predictor = new Predictor();
  await predictor.setup({ weights: models.dirs.official, log: () => {}, session: { intraOpThreads: 1 } });
  tokenizer = await BgeTokenizer.fromFile(`${models.dirs.official}/tokenizer.json`);
});
after(() => predictor.close());

/** By hand: <s> c0..c255 <s> c256..c511 <s> ... </s>, the model's hidden states, the mean at the <s> rows, normalized. */
async function mclsByHand(text: string, maxLength = 8192): Promise<number[]> {
  const ids = tokenizer.encode(text, maxLength).ids;
  const content = ids.slice(1, -1);
  const modified: number[] = [];
  const positions: number[] = [];
  for (let i = 0; i < content.length; i++) {
    if (i % 256 === 0) {
      positions.push(modified.length);
      modified.push(0);
    }
    modified.push(content[i]);
  }
  modified.push(2);
  const session = await openLayout(models, 'official');
  const hidden = (await run(session, [modified], [modified.map(() => 1)])).token_embeddings.data;
  const h = models.config.hidden;
  const mean = Array.from({ length: h }, (_, k) => positions.reduce((s, p) => s + hidden[p * h + k], 0) / positions.length);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

test('the MCLS dense vector is the normalized mean of the hidden states at every <s> of the modified ids', async () => {
  const out = asFloatOutput(await predictor.predict({ texts: TEXTS, dense_pooling: 'mcls', return_sparse: false }));
  assert.ok(out.token_counts![0] > 514 && out.token_counts![1] > 258 && out.token_counts![1] < 514, `token counts ${out.token_counts}`);
  for (const [i, text] of TEXTS.entries()) {
    assert.ok(maxAbsDiff(out.dense_vecs![i], await mclsByHand(text)) < 1e-5, `text ${i}`);
  }
});

test('MCLS changes only the long texts dense vectors: sparse, ColBERT, short texts and the token counts are as with "cls"', async () => {
  const input = { texts: TEXTS, return_colbert: true };
  const cls = asFloatOutput(await predictor.predict(input));
  const mcls = asFloatOutput(await predictor.predict({ ...input, dense_pooling: 'mcls' }));
  assert.deepEqual(mcls.lexical_weights, cls.lexical_weights);
  assert.deepEqual(mcls.colbert_vecs, cls.colbert_vecs);
  assert.deepEqual(mcls.token_counts, cls.token_counts);
  assert.deepEqual(mcls.dense_vecs![2], cls.dense_vecs![2]);
  assert.ok(maxAbsDiff(mcls.dense_vecs![0], cls.dense_vecs![0]) > 1e-3, 'a 600-token text gets another vector');
});

test('dense_pooling "cls" is the default, byte for byte', async () => {
  const input = { texts: TEXTS, return_colbert: true, query: 'embedding model' };
  assert.equal(JSON.stringify(await predictor.predict({ ...input, dense_pooling: 'cls' })), JSON.stringify(await predictor.predict(input)));
});

test('dense scores against a query use the MCLS vector; the query keeps its CLS vector', async () => {
  const out = asFloatOutput(await predictor.predict({ texts: TEXTS, dense_pooling: 'mcls', query: 'embedding model' }));
  const query = asFloatOutput(await predictor.predict({ texts: ['embedding model'], return_sparse: false })).dense_vecs![0];
  out.dense_vecs!.forEach((v, i) => {
    const dot = v.reduce((s, x, k) => s + x * query[k], 0);
    assert.ok(Math.abs(out.scores!.dense[i] - dot) < 1e-5, `text ${i}`);
  });
});

test('a text too long for MCLS is a 422 on texts[i] that names max_length 8161; with it the text runs', async () => {
  const long = 'hello world '.repeat(900);
  await assert.rejects(predictor.predict({ texts: ['short', long], dense_pooling: 'mcls' }), (err: InputValidationError) => {
    assert.ok(err instanceof InputValidationError);
    assert.deepEqual(err.issues[0].loc, ['texts', 1]);
    assert.match(err.issues[0].message, /dense_pooling "mcls".*8192 positions: set max_length to 8161 or less/);
    return true;
  });
  const out = asFloatOutput(await predictor.predict({ texts: [long], dense_pooling: 'mcls', max_length: 8161, return_sparse: false }));
  assert.deepEqual(out.truncated, [true]);
  assert.ok(maxAbsDiff(out.dense_vecs![0], await mclsByHand(long, 8161)) < 1e-5);
});

test('an export without hidden states refuses MCLS with a 422 on dense_pooling', async () => {
  const p = new Predictor();
  await p.setup({ weights: models.dirs['heads-aapot'], log: () => {}, session: { intraOpThreads: 1 } });
  try {
    await assert.rejects(p.predict({ texts: ['a'], dense_pooling: 'mcls' }), (err: InputValidationError) => {
      assert.equal(err.issues[0].field, 'dense_pooling');
      assert.match(err.issues[0].message, /use dense_pooling "cls", or serve an export with token_embeddings/);
      return true;
    });
    await assert.doesNotReject(p.predict({ texts: ['a'], dense_pooling: 'mcls', return_dense: false }));
  } finally {
    await p.close();
  }
});
