// The Predictor end to end on the generated models: exact against an
// independent float64 forward pass, identical across weight layouts and batch
// compositions, honest about truncation, precise about bad input.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Predictor } from '../../predict.ts';
import { asFloatOutput, type FloatOutput } from '../../src/api/output-formats.ts';
import { InputValidationError } from '../../src/api/errors.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import { generateWeights } from '../../tools/fixtures/test-model/weights.ts';
import { referenceHeads, referenceLastHiddenState } from '../helpers/model/reference-forward.ts';
import { ensureTestModels, type TestModels } from '../helpers/model/test-models.ts';

const TEXTS = [
  'What is BGE M3?',
  'BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.',
  'Привет, мир! Γειά σου κόσμε. مرحبا بالعالم',
  '東京は日本の首都です。 नमस्ते दुनिया',
  'short',
];

let models: TestModels;
const predictors = new Map<string, Predictor>();

async function predictorFor(layout: keyof TestModels['dirs']): Promise<Predictor> {
  let p = predictors.get(layout);
  if (!p) {
    p = new Predictor();
    await p.setup({ weights: models.dirs[layout], log: () => {} });
    predictors.set(layout, p);
  }
  return p;
}

before(async () => {
  models = await ensureTestModels();
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function assertSameOutput(a: FloatOutput, b: FloatOutput, tol: number, what: string): void {
  assert.deepEqual(a.token_counts, b.token_counts);
  assert.deepEqual(a.truncated, b.truncated);
  a.dense_vecs?.forEach((v, i) => assert.ok(maxDiff(v, b.dense_vecs![i]) <= tol, `${what}: dense ${i}`));
  a.colbert_vecs?.forEach((v, i) => assert.ok(maxDiff(v.flat(), b.colbert_vecs![i].flat()) <= tol, `${what}: colbert ${i}`));
  a.lexical_weights?.forEach((l, i) => {
    const other = b.lexical_weights![i];
    assert.deepEqual(Object.keys(l).sort(), Object.keys(other).sort(), `${what}: sparse keys ${i}`);
    for (const k in l) assert.ok(Math.abs(l[k] - other[k]) <= tol, `${what}: sparse ${i}/${k}`);
  });
}

test('dense, sparse and ColBERT equal an independent float64 forward pass of the same weights', async () => {
  const p = await predictorFor('official');
  const out = asFloatOutput(await p.predict({ texts: TEXTS, return_colbert: true }));
  const tokenizer = await BgeTokenizer.fromFile(`${models.dirs.official}/tokenizer.json`);
  const weights = generateWeights(models.config);
  TEXTS.forEach((text, i) => {
    const ids = tokenizer.encode(text, 8192).ids;
    const mask = ids.map(() => 1);
    const hidden = referenceLastHiddenState(weights, [ids], [mask]);
    const ref = referenceHeads(weights, hidden, [mask]);
    assert.ok(maxDiff(out.dense_vecs![i], ref.dense.data) < 1e-5, `dense ${i}`);
    assert.ok(maxDiff(out.colbert_vecs![i].flat(), ref.colbert.data) < 1e-5, `colbert ${i}`);
    assert.equal(out.colbert_vecs![i].length, ids.length - 1, 'n - 1 ColBERT rows: <s> dropped, </s> kept');
    // Sparse: the max per id of the reference token weights, specials and zeros dropped.
    const expected: Record<string, number> = {};
    ids.forEach((id, s) => {
      const w = ref.sparse.data[s];
      if (id > 3 && w > 0) expected[id] = Math.max(expected[id] ?? 0, w);
    });
    const got = out.lexical_weights![i];
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort(), `sparse keys ${i}`);
    for (const k in expected) assert.ok(Math.abs(got[k] - expected[k]) < 1e-5, `sparse ${i}/${k}`);
    assert.equal(out.token_counts[i], ids.length);
  });
});

test('all four weight layouts give the same outputs', async () => {
  const input = { texts: TEXTS, return_colbert: true, query: 'What is M3?' };
  const base = asFloatOutput(await (await predictorFor('official')).predict(input));
  for (const layout of ['heads-aapot', 'heads-yuniko', 'xenova'] as const) {
    const out = asFloatOutput(await (await predictorFor(layout)).predict(input));
    assertSameOutput(out, base, 1e-5, layout);
    base.scores!.hybrid.forEach((h, i) => assert.ok(Math.abs(h - out.scores!.hybrid[i]) < 1e-5, `${layout}: hybrid ${i}`));
  }
});

test('a text alone equals the same text inside a batch of mixed lengths, in input order', async () => {
  const p = await predictorFor('official');
  const long = 'a much longer passage that pads the others '.repeat(20);
  const batch = [long, ...TEXTS, 'x', long.slice(0, 100)];
  const together = asFloatOutput(await p.predict({ texts: batch, return_colbert: true }));
  for (const [i, text] of batch.entries()) {
    const alone = asFloatOutput(await p.predict({ texts: [text], return_colbert: true }));
    assertSameOutput(
      alone,
      {
        ...together,
        token_counts: [together.token_counts[i]],
        truncated: [together.truncated[i]],
        dense_vecs: [together.dense_vecs![i]],
        lexical_weights: [together.lexical_weights![i]],
        colbert_vecs: [together.colbert_vecs![i]],
      },
      1e-5,
      `text ${i}`,
    );
  }
});

test('outputs appear only when asked for; lexical_tokens names every weighted id', async () => {
  const p = await predictorFor('official');
  const none = asFloatOutput(await p.predict({ texts: ['hello'], return_dense: false, return_sparse: false }));
  assert.deepEqual(Object.keys(none).sort(), ['token_counts', 'truncated']);
  const sparse = asFloatOutput(await p.predict({ texts: TEXTS, return_dense: false }));
  assert.deepEqual(Object.keys(sparse).sort(), ['lexical_tokens', 'lexical_weights', 'token_counts', 'truncated']);
  const ids = new Set(sparse.lexical_weights!.flatMap((l) => Object.keys(l)));
  assert.deepEqual(new Set(Object.keys(sparse.lexical_tokens!)), ids);
  assert.ok(Object.values(sparse.lexical_tokens!).every((t) => typeof t === 'string' && !t.startsWith('▁')));
});

test('scores against a query follow compute_score and the score weights', async () => {
  const p = await predictorFor('official');
  const out = asFloatOutput(await p.predict({ texts: TEXTS, query: TEXTS[0], return_colbert: true, score_weights: [1, 2, 3] }));
  const s = out.scores!;
  assert.deepEqual(s.weights, [1, 2, 3]);
  const self = 0; // the query is TEXTS[0]
  assert.ok(Math.abs(s.dense[self] - 1) < 1e-5, 'a text scores 1 against itself (dense)');
  assert.ok(Math.abs(s.colbert[self] - 1) < 1e-5, 'and 1 under ColBERT MaxSim');
  const lw = out.lexical_weights![self];
  const selfSparse = Object.values(lw).reduce((a, w) => a + w * w, 0);
  assert.ok(Math.abs(s.sparse[self] - selfSparse) < 1e-6);
  s.hybrid.forEach((h, i) => assert.ok(Math.abs(h - (s.dense[i] + 2 * s.sparse[i] + 3 * s.colbert[i]) / 6) < 1e-9));
  assert.equal(s.query_token_count, out.token_counts[self]);
  assert.equal(s.query_truncated, false);
});

test('truncation at max_length is reported, never silent', async () => {
  const p = await predictorFor('official');
  const out = asFloatOutput(await p.predict({ texts: [TEXTS[1], 'short'], max_length: 8, query: TEXTS[1], return_colbert: true }));
  assert.deepEqual(out.truncated, [true, false]);
  assert.equal(out.token_counts[0], 8);
  assert.equal(out.colbert_vecs![0].length, 7);
  assert.equal(out.scores!.query_truncated, true);
  const tiny = asFloatOutput(await p.predict({ texts: ['hello world'], max_length: 1 }));
  assert.deepEqual([tiny.token_counts, tiny.truncated], [[2], [true]], 'below 3, only <s> and </s> remain');
});

test('an 8192-token text runs end to end', async () => {
  const p = await predictorFor('official');
  const words = ['alpha', 'Привет', 'κόσμε', '東京', 'नमस्ते', 'mundo'];
  const text = Array.from({ length: 9000 }, (_, i) => words[i % words.length]).join(' ');
  const out = asFloatOutput(await p.predict({ texts: [text, 'and a short one'], return_colbert: true }));
  assert.equal(out.token_counts[0], 8192);
  assert.equal(out.truncated[0], true);
  assert.equal(out.colbert_vecs![0].length, 8191);
  assert.ok(out.dense_vecs![0].every(Number.isFinite));
});

test('bad input is rejected with the field and the reason', async () => {
  const p = await predictorFor('official');
  const cases: [unknown, RegExp][] = [
    [{}, /texts is required/],
    [{ texts: [1] }, /texts\[0\] must be a string/],
    [{ texts: ['a'], max_length: 0 }, /max_length must be at least 1/],
    [{ texts: ['a'], max_length: 9000 }, /max_length must be at most 8192/],
    [{ texts: ['a'], return_dense: 'true' }, /return_dense must be a boolean/],
    [{ texts: ['a'], colbert: true }, /unknown input "colbert"; valid inputs are: texts, max_length/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(p.predict(input), (err: unknown) => err instanceof InputValidationError && message.test(err.message));
  }
});

test('a canceled prediction rejects with AbortError', async () => {
  const p = await predictorFor('official');
  const ac = new AbortController();
  const pending = p.predict({ texts: Array(50).fill('some text to embed '.repeat(50)) }, { signal: ac.signal });
  ac.abort();
  await assert.rejects(pending, { name: 'AbortError' });
});

test('predict before setup, and setup on an unknown layout, fail clearly', async () => {
  await assert.rejects(new Predictor().predict({ texts: ['a'] }), /setup\(\) must finish before predict/);
  await assert.rejects(new Predictor().setup({ weights: '/nonexistent', log: () => {} }), /missing or empty/);
});

test('a ColBERT output too large to return is refused before any model work, with what to do', async () => {
  const p = await predictorFor('official');
  const text = 'word '.repeat(3000);
  await assert.rejects(p.predict({ texts: Array(8).fill(text), return_colbert: true }), (err: unknown) => {
    assert.ok(err instanceof InputValidationError);
    assert.equal(err.issues[0].field, 'return_colbert');
    assert.match(err.message, /return_colbert would return \d+ vectors .* more than the 16384 .*send fewer texts per prediction.*return_colbert: false/);
    return true;
  });
  const ok = asFloatOutput(await p.predict({ texts: Array(8).fill(text), return_colbert: false }));
  assert.equal(ok.token_counts.length, 8);
});

test("BGE_M3_SPIN_THREADS=1 makes onnxruntime's threads spin and says so in the setup log; a bad value fails setup", async () => {
  const lines: string[] = [];
  process.env.BGE_M3_SPIN_THREADS = '1';
  try {
    const p = new Predictor();
    await p.setup({ weights: models.dirs.official, log: (l) => lines.push(l) });
    assert.equal(asFloatOutput(await p.predict({ texts: ['spin'] })).dense_vecs!.length, 1);
    await p.close();
    assert.match(lines.join('\n'), /Loaded .*, onnxruntime threads spin between operators$/m);
    process.env.BGE_M3_SPIN_THREADS = 'yes';
    await assert.rejects(
      new Predictor().setup({ weights: models.dirs.official, log: () => {} }),
      /BGE_M3_SPIN_THREADS must be 1 or 0 \(true or false\), got "yes"/,
    );
  } finally {
    delete process.env.BGE_M3_SPIN_THREADS;
  }
});

test('a bad BGE_M3_THREADS or BGE_M3_MAX_BATCH_TOKENS fails setup, naming the variable', async () => {
  for (const name of ['BGE_M3_THREADS', 'BGE_M3_MAX_BATCH_TOKENS']) {
    process.env[name] = 'many';
    try {
      await assert.rejects(
        new Predictor().setup({ weights: models.dirs.official, log: () => {} }),
        new RegExp(`${name} must be a positive integer, got "many"`),
      );
    } finally {
      delete process.env[name];
    }
  }
});
