// LanceDB on the corpus job's real Parquet output, with the README's code
// (extracted from it and run as a module): dense vectors searched by dot
// product and ColBERT multivectors searched by MaxSim rank as /predictions'
// scores.dense and scores.colbert (their values too, through LanceDB's
// distances), and the full-text index finds the texts holding the words.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ROOT, toJsonl } from '../helpers/corpus.ts';
import { corpusOutput, type CorpusOutput } from '../helpers/stores/corpus-output.ts';
import { readmeBlock, substitute } from '../helpers/stores/readme-blocks.ts';

/** LanceDB computes in float32 from the same float32 vectors; scores.* multiply them in float64 (~1e-7 apart). */
const TOLERANCE = 1e-6;

interface Hit {
  id: string;
  text: string;
  _distance?: number;
  _score?: number;
}

let data: CorpusOutput;
let hits: { byDense: Hit[]; byColbert: Hit[]; byWords: Hit[] };

before(async () => {
  data = await corpusOutput({ rows: 60, partRows: 25, scoreWeights: [1, 1, 1] });
  const work = path.join(path.dirname(data.dir), 'lancedb-readme');
  mkdirSync(work);
  // The block imports packages: resolve them from the repository's node_modules.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  const corpusFile = path.join(work, 'corpus.jsonl');
  writeFileSync(corpusFile, toJsonl(data.corpus));
  let block = readmeBlock('lancedb');
  block = substitute(block, "readFileSync('corpus.jsonl'", `readFileSync(${JSON.stringify(corpusFile)}`);
  block = substitute(block, "connect('lancedb')", `connect(${JSON.stringify(path.join(work, 'db'))})`);
  block = substitute(block, "readdirSync('vectors')", `readdirSync(${JSON.stringify(data.dir)})`);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the README's code holds this template literal as text
  block = substitute(block, '`vectors/${file}`', `${JSON.stringify(data.dir + '/')} + file`);
  block = substitute(block, '.limit(10)', `.limit(${data.corpus.length})`);
  const q = { dense_vecs: [data.queryVectors.dense], colbert_vecs: [data.queryVectors.colbert] };
  const module = path.join(work, 'readme-lancedb.mts');
  writeFileSync(module, `const q = ${JSON.stringify(q)};\n${block}\nexport { byDense, byColbert, byWords };\n`);
  hits = await import(pathToFileURL(module).href);
});
after(async () => data?.predictor.close());

function indexOf(id: string): number {
  const i = data.corpus.findIndex((r) => r.id === id);
  assert.ok(i >= 0, `LanceDB returned an id the corpus does not have: ${id}`);
  return i;
}

/** Every document once, each score equal to the oracle's, in the oracle's order (ties within rounding may swap). */
function assertRanking(got: Hit[], score: (h: Hit) => number, oracle: number[], what: string): void {
  assert.equal(new Set(got.map((h) => h.id)).size, data.corpus.length, `${what}: every document once`);
  got.forEach((h, k) => {
    const i = indexOf(h.id);
    assert.ok(Math.abs(score(h) - oracle[i]) < TOLERANCE, `${what}: ${h.id} scores ${score(h)}, /predictions ${oracle[i]}`);
    if (k) assert.ok(oracle[indexOf(got[k - 1].id)] >= oracle[i] - TOLERANCE, `${what}: rank ${k} (${h.id}) is out of /predictions' order`);
  });
}

test('dense vectors searched by dot product: 1 - _distance is scores.dense, in its order', () => {
  assertRanking(hits.byDense, (h) => 1 - h._distance!, data.scores.dense, 'dense');
});

test("ColBERT multivectors searched with the query's ColBERT rows: LanceDB's MaxSim, averaged, is scores.colbert, in its order", () => {
  const n = data.queryVectors.colbert.length;
  assert.ok(n > 1, 'the query has several ColBERT vectors');
  assertRanking(hits.byColbert, (h) => (1 - h._distance!) / n, data.scores.colbert, 'colbert');
});

test('the full-text index finds exactly the texts holding "vector" or "search"', () => {
  const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u);
  const want = data.corpus
    .filter((r) => words(r.text).some((w) => w === 'vector' || w === 'search'))
    .map((r) => r.id)
    .sort();
  assert.ok(want.length > 0 && want.length < data.corpus.length, `some texts hold the words and some do not (${want.length})`);
  assert.deepEqual(hits.byWords.map((h) => h.id).sort(), want);
  for (const h of hits.byWords) assert.ok(h._score! > 0, `${h.id} has a BM25 score`);
});
