// Similarity scores computed in the browser, with the server's formulas
// (FlagEmbedding's compute_score): dense = dot product of the normalized
// vectors; sparse = sum over shared token ids of the product of the weights;
// colbert = mean over the query's rows of its best dot product with any
// passage row; hybrid = (w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2).
// No DOM here: the Node tests import this file too.

/**
 * @typedef {{ data: Float64Array, rows: number, dim: number }} Rows  row-major matrix
 * @typedef {{ dense?: number[], sparse?: Record<string, number>, colbert?: Rows }} Embedded
 * @typedef {'dense' | 'sparse' | 'colbert' | 'hybrid'} ScoreKind
 */

export const SCORE_KINDS = /** @type {const} */ (['dense', 'sparse', 'colbert', 'hybrid']);

/** @param {ArrayLike<number>} a @param {ArrayLike<number>} b */
export function denseScore(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** @param {Record<string, number>} q @param {Record<string, number>} p */
export function sparseScore(q, p) {
  let s = 0;
  for (const id of Object.keys(q)) if (Object.hasOwn(p, id)) s += q[id] * p[id];
  return s;
}

/** Packs ColBERT rows (as the output holds them) into one matrix. @param {number[][]} rows @returns {Rows} */
export function toRows(rows) {
  const dim = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, rows: rows.length, dim };
}

/** Every query row's dot product with every passage row: [q.rows][p.rows]. @param {Rows} q @param {Rows} p */
export function rowSimilarities(q, p) {
  if (q.dim !== p.dim && q.rows && p.rows) throw new Error(`ColBERT vectors of different widths (${q.dim} and ${p.dim}) cannot be compared.`);
  const out = [];
  for (let i = 0; i < q.rows; i++) {
    const row = new Float64Array(p.rows);
    for (let j = 0; j < p.rows; j++) {
      let s = 0;
      for (let k = 0, a = i * q.dim, b = j * p.dim; k < q.dim; k++) s += q.data[a + k] * p.data[b + k];
      row[j] = s;
    }
    out.push(row);
  }
  return out;
}

/**
 * For each query row, the passage row it matches best (MaxSim) and how well.
 * @param {Rows} q @param {Rows} p
 * @returns {{ best: number, score: number }[]}  best = -1 when the passage has no rows
 */
export function maxSimAlignment(q, p) {
  return bestPerRow(rowSimilarities(q, p));
}

/** The largest entry of each row, and where it is. @param {ArrayLike<number>[]} sims */
export function bestPerRow(sims) {
  return sims.map((row) => {
    let best = -1;
    let score = 0;
    for (let j = 0; j < row.length; j++)
      if (best < 0 || row[j] > score) {
        best = j;
        score = row[j];
      }
    return { best, score };
  });
}

/** @param {Rows} q @param {Rows} p */
export function colbertScore(q, p) {
  if (q.rows === 0) return 0;
  const matches = maxSimAlignment(q, p);
  return matches.reduce((sum, m) => sum + m.score, 0) / q.rows;
}

/** @param {number} dense @param {number} sparse @param {number} colbert @param {readonly number[]} w */
export function hybridScore(dense, sparse, colbert, w) {
  return (w[0] * dense + w[1] * sparse + w[2] * colbert) / (w[0] + w[1] + w[2]);
}

/** What each kind needs from every item. */
const NEEDS = /** @type {Record<ScoreKind, (keyof Embedded)[]>} */ ({
  dense: ['dense'],
  sparse: ['sparse'],
  colbert: ['colbert'],
  hybrid: ['dense', 'sparse', 'colbert'],
});

/** Which outputs are missing for `kind` (empty when it can be computed). @param {Embedded[]} items @param {ScoreKind} kind */
export function missingFor(items, kind) {
  return NEEDS[kind].filter((key) => items.some((it) => it[key] === undefined));
}

/**
 * The score of every item (row, in the query's role) against every item
 * (column, in the passage's role), per kind, computed once on first use.
 * ColBERT and hybrid are not symmetric.
 */
export class ScoreMatrices {
  /** @param {Embedded[]} items @param {readonly number[]} weights score_weights, for hybrid */
  constructor(items, weights) {
    this.items = items;
    this.weights = weights;
    /** @type {Map<ScoreKind, number[][]>} */
    this.cache = new Map();
  }

  /** @param {ScoreKind} kind @returns {number[][]} */
  get(kind) {
    const missing = missingFor(this.items, kind);
    if (missing.length) throw new Error(`The ${kind} score needs ${missing.join(', ')} for every text.`);
    let m = this.cache.get(kind);
    if (!m) {
      m = kind === 'hybrid' ? this.hybrid() : this.items.map((a) => this.items.map((b) => PAIR[kind](a, b)));
      this.cache.set(kind, m);
    }
    return m;
  }

  /** Multiply-adds the ColBERT matrix takes: every row of every item against every row of every item. */
  colbertCost() {
    let rows = 0;
    let dim = 0;
    for (const it of this.items) {
      rows += it.colbert?.rows ?? 0;
      dim = it.colbert?.dim || dim;
    }
    return rows * rows * dim;
  }

  /** @returns {number[][]} */
  hybrid() {
    const [d, s, c] = [this.get('dense'), this.get('sparse'), this.get('colbert')];
    return d.map((row, i) => row.map((_, j) => hybridScore(d[i][j], s[i][j], c[i][j], this.weights)));
  }
}

/** @type {Record<Exclude<ScoreKind, 'hybrid'>, (a: Embedded, b: Embedded) => number>} */
const PAIR = {
  dense: (a, b) => denseScore(/** @type {number[]} */ (a.dense), /** @type {number[]} */ (b.dense)),
  sparse: (a, b) => sparseScore(/** @type {Record<string, number>} */ (a.sparse), /** @type {Record<string, number>} */ (b.sparse)),
  colbert: (a, b) => colbertScore(/** @type {Rows} */ (a.colbert), /** @type {Rows} */ (b.colbert)),
};

/**
 * Text `i` of an Output, in the shape the score functions take.
 * @param {any} output @param {number} i @returns {Embedded}
 */
export function embeddedText(output, i) {
  return {
    dense: output.dense_vecs?.[i],
    sparse: output.lexical_weights?.[i],
    colbert: output.colbert_vecs ? toRows(output.colbert_vecs[i]) : undefined,
  };
}
