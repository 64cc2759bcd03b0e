// DuckDB on the corpus job's real Parquet output, with the SQL the README
// shows (extracted from it): dense read as FLOAT[N], its inner product with
// the query's dense vector, the sparse join, ColBERT's MaxSim and the hybrid
// ranking each equal what /predictions' scores say for the same texts and
// query.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { corpusOutput, type CorpusOutput } from '../helpers/stores/corpus-output.ts';
import { readmeBlock, substitute } from '../helpers/stores/readme-blocks.ts';

/** scores.* are float32 vectors multiplied in float64; DuckDB multiplies float32s: rounding only. */
const TOLERANCE = 1e-6;
/** The default score_weights, which the README's hybrid spells out. */
const WEIGHTS = [0.4, 0.2, 0.4];

let data: CorpusOutput;
let db: DuckDBConnection;

before(async () => {
  data = await corpusOutput({ rows: 60, partRows: 25, scoreWeights: WEIGHTS });
  db = await (await DuckDBInstance.create(':memory:')).connect();
  // The README's view, on this run's output directory and the test model's dimension.
  const view = substitute(substitute(readmeBlock('duckdb-view'), "'vectors/", `'${data.dir}/`), 'FLOAT[1024]', `FLOAT[${data.dim}]`);
  await db.run(view);
});
after(async () => {
  db?.closeSync();
  await data?.predictor.close();
});

test("read_parquet finds every part and row; the view's dense is a fixed-size FLOAT[N] array", async () => {
  const count = await db.runAndReadAll(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT filename)::INTEGER AS files FROM read_parquet('${data.dir}/*.parquet', filename = true)`,
  );
  assert.deepEqual(count.getRowObjectsJson(), [{ n: data.corpus.length, files: Math.ceil(data.corpus.length / 25) }]);
  const types = await db.runAndReadAll('SELECT column_name, column_type FROM (DESCRIBE docs)');
  assert.deepEqual(types.getRowObjectsJson(), [
    { column_name: 'id', column_type: 'VARCHAR' },
    { column_name: 'dense', column_type: `FLOAT[${data.dim}]` },
    { column_name: 'sparse_indices', column_type: 'INTEGER[]' },
    { column_name: 'sparse_values', column_type: 'FLOAT[]' },
    { column_name: 'colbert', column_type: `FLOAT[${data.dim}][]` },
  ]);
});

test("the README's search: dense, sparse and ColBERT scores equal scores.*, and hybrid ranks as scores.hybrid", async () => {
  assert.deepEqual(data.scores.weights, WEIGHTS, "the prediction used the weights the README's hybrid spells out");
  const n = data.corpus.length;
  const sql = substitute(substitute(readmeBlock('duckdb-search'), 'FLOAT[1024]', `FLOAT[${data.dim}]`), 'LIMIT 10', `LIMIT ${n}`);
  const q = data.queryVectors;
  const params = {
    dense: listValue(q.dense),
    indices: listValue(q.sparse.indices),
    values: listValue(q.sparse.values),
    colbert: listValue(q.colbert.map((v) => listValue(v))),
  };
  const result = await db.runAndReadAll(sql, params);
  const rows = result.getRowObjectsJson() as { id: string; dense_score: number; sparse_score: number; colbert_score: number; hybrid: number }[];
  assert.equal(rows.length, n, 'every document is ranked');
  const at = new Map(data.corpus.map((r, i) => [r.id, i]));
  assert.equal(new Set(rows.map((r) => r.id)).size, n, 'each document once');
  let sparseMatches = 0;
  for (const r of rows) {
    const i = at.get(r.id)!;
    assert.ok(Math.abs(r.dense_score - data.scores.dense[i]) < TOLERANCE, `${r.id}: dense ${r.dense_score} vs scores.dense ${data.scores.dense[i]}`);
    assert.ok(Math.abs(r.sparse_score - data.scores.sparse[i]) < TOLERANCE, `${r.id}: sparse ${r.sparse_score} vs scores.sparse ${data.scores.sparse[i]}`);
    assert.ok(
      Math.abs(r.colbert_score - data.scores.colbert[i]) < TOLERANCE,
      `${r.id}: colbert ${r.colbert_score} vs scores.colbert ${data.scores.colbert[i]}`,
    );
    assert.ok(Math.abs(r.hybrid - data.scores.hybrid[i]) < TOLERANCE, `${r.id}: hybrid ${r.hybrid} vs scores.hybrid ${data.scores.hybrid[i]}`);
    if (data.scores.sparse[i] > 0) sparseMatches++;
  }
  assert.ok(sparseMatches > 0 && sparseMatches < n, `some documents share tokens with the query and some do not (${sparseMatches} of ${n})`);
  // DuckDB's order is scores.hybrid's: non-increasing in the predicted score (ties within rounding may swap).
  for (let k = 1; k < n; k++) {
    const [a, b] = [at.get(rows[k - 1].id)!, at.get(rows[k].id)!];
    assert.ok(
      data.scores.hybrid[a] >= data.scores.hybrid[b] - TOLERANCE,
      `rank ${k}: ${rows[k - 1].id} (${data.scores.hybrid[a]}) before ${rows[k].id} (${data.scores.hybrid[b]})`,
    );
  }
});
