// The playground computes its heatmap in the browser. Its formulas must be the
// server's: oracle = the Predictor's own `scores` on the generated test model
// (the query's vectors come from embedding it as a text, as the page does),
// plus small cases worked out by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Predictor, type Output } from '../../predict.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { loadScores, type Rows, type ScoresModule } from '../helpers/web/web-modules.ts';

const TEXTS = [
  'BGE M3 supports dense retrieval, lexical matching and multi-vector interaction.',
  'The cat sat on the mat.',
  'Привет, мир! Γειά σου κόσμε.',
  '東京は日本の首都です。',
];
const QUERY = 'Which model does lexical matching?';
const WEIGHTS = [0.3, 0.3, 0.4];

let s: ScoresModule;
const predictor = new Predictor();

before(async () => {
  s = await loadScores();
  await predictor.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
});

after(() => predictor.close());

function close(actual: number, expected: number, what: string, tol = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

describe("browser scores against the server's", () => {
  test('the query row of every kind equals Output.scores', async () => {
    const out = await predictor.predict({ texts: TEXTS, query: QUERY, return_colbert: true, score_weights: WEIGHTS });
    const q = await predictor.predict({ texts: [QUERY], return_colbert: true });
    const items = [s.embeddedText(q, 0), ...TEXTS.map((_, i) => s.embeddedText(out, i))];
    const m = new s.ScoreMatrices(items, WEIGHTS);
    const scores = out.scores as NonNullable<Output['scores']>;
    for (const kind of ['dense', 'sparse', 'colbert', 'hybrid'] as const) {
      const row = m.get(kind)[0].slice(1);
      row.forEach((v, j) => close(v, scores[kind][j], `${kind} of text ${j}`));
    }
  });

  test("text-text matrices: dense is symmetric with a unit diagonal; each entry is its pair's score", async () => {
    const out = await predictor.predict({ texts: TEXTS, return_colbert: true });
    const m = new s.ScoreMatrices(
      TEXTS.map((_, i) => s.embeddedText(out, i)),
      WEIGHTS,
    );
    const dense = m.get('dense');
    dense.forEach((row, i) => {
      close(row[i], 1, `dense[${i}][${i}]`);
      row.forEach((v, j) => close(v, dense[j][i], `dense[${i}][${j}] vs [${j}][${i}]`, 1e-12));
    });
    // Row i scores text i as the query: the same number the server gives with text i as `query`.
    const asQuery = await predictor.predict({ texts: TEXTS, query: TEXTS[2], return_colbert: true, score_weights: WEIGHTS });
    for (const kind of ['sparse', 'colbert', 'hybrid'] as const) {
      m.get(kind)[2].forEach((v, j) => close(v, asQuery.scores![kind][j], `${kind}[2][${j}]`));
    }
  });
});

describe('score formulas on hand-worked cases', () => {
  const rows = (r: number[][]): Rows => s.toRows(r);

  test("ColBERT is the mean of each query row's best match, so it is not symmetric", () => {
    const q = rows([
      [1, 0],
      [0, 1],
    ]);
    const p = rows([[1, 0]]);
    assert.equal(s.colbertScore(q, p), 0.5);
    assert.equal(s.colbertScore(p, q), 1);
    assert.deepEqual(s.maxSimAlignment(q, p), [
      { best: 0, score: 1 },
      { best: 0, score: 0 },
    ]);
    assert.deepEqual(
      s
        .maxSimAlignment(
          rows([[0.6, 0.8]]),
          rows([
            [1, 0],
            [0, 1],
            [0.6, 0.8],
          ]),
        )
        .map((m) => m.best),
      [2],
    );
  });

  test("sparse sums the products over shared ids only; hybrid divides by the weights' sum", () => {
    assert.equal(s.sparseScore({ 1: 0.5, 2: 0.25 }, { 2: 2, 3: 9 }), 0.5);
    assert.equal(s.sparseScore({ 1: 0.5 }, { 3: 9 }), 0);
    close(s.hybridScore(1, 0.5, 0.5, [2, 1, 2]), (2 + 0.5 + 1) / 5, 'hybrid');
  });

  test('a view says which outputs it lacks', () => {
    const items = [
      { dense: [1], sparse: {} },
      { dense: [1], sparse: {} },
    ];
    assert.deepEqual(s.missingFor(items, 'dense'), []);
    assert.deepEqual(s.missingFor(items, 'colbert'), ['colbert']);
    assert.deepEqual(s.missingFor(items, 'hybrid'), ['colbert']);
    assert.throws(() => new s.ScoreMatrices(items, [1, 1, 1]).get('hybrid'), /needs colbert/);
  });
});
