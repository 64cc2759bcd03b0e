// The Qdrant, Milvus, Elasticsearch and pgvector request bodies of
// request-bodies.ts (typed with each official client, checked by tsc), fed
// real /predictions output: each carries the output as the README says, the
// pgvector text forms parse back to scores equal to /predictions', and the
// README shows each function exactly as it is compiled.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Predictor } from '../../predict.ts';
import { makeCorpus } from '../helpers/corpus.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { QUERY } from '../helpers/stores/corpus-output.ts';
import { readmeBlock } from '../helpers/stores/readme-blocks.ts';
import { bodies, type Embedded, type IndicesValues, type Weights } from '../helpers/stores/request-bodies.ts';

const texts = makeCorpus(8, 5, 20).map((r) => r.text);
let predictor: Predictor;
let dim: number;
/** Per sparse_format: the texts' outputs and the query's, and the texts' scores against the query. */
const embedded: Record<string, { docs: Embedded<unknown>[]; query: Embedded<unknown> }> = {};
let scores: { dense: number[]; sparse: number[] };

before(async () => {
  predictor = new Predictor();
  await predictor.setup({ weights: await officialWeights(), log: () => {} });
  dim = predictor.info!.dim;
  for (const format of ['indices_values', 'dict', 'tokens']) {
    const out = await predictor.predict({ texts: [...texts, QUERY], sparse_format: format });
    const all = out.dense_vecs!.map((dense, i) => ({ dense: dense as number[], sparse: out.lexical_weights![i] }));
    embedded[format] = { docs: all.slice(0, texts.length), query: all[texts.length] };
  }
  scores = (await predictor.predict({ texts, query: QUERY })).scores!;
});
after(async () => predictor?.close());

const docs = <S>(format: string) => embedded[format].docs as Embedded<S>[];
const query = <S>(format: string) => embedded[format].query as Embedded<S>;
/** What JSON carries: a body survives serialization unchanged. */
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v));

test("README.md shows each store's function exactly as request-bodies.ts compiles it", () => {
  const source = readFileSync(fileURLToPath(new URL('../helpers/stores/request-bodies.ts', import.meta.url)), 'utf8');
  for (const name of ['qdrant', 'milvus', 'elasticsearch', 'pgvector']) {
    const m = new RegExp(`// <readme ${name}>\\n([\\s\\S]*?)\\n// </readme>`).exec(source);
    assert.ok(m, `request-bodies.ts marks the ${name} function`);
    assert.equal(readmeBlock(name), m[1], `README's ${name} block is request-bodies.ts's: copy it from there`);
  }
});

test("Qdrant: points carry each text's dense vector and indices_values as they come; the query prefetches both", () => {
  const { upsert, search } = json(bodies.qdrant(docs<IndicesValues>('indices_values'), query<IndicesValues>('indices_values')));
  assert.ok('points' in upsert);
  assert.deepEqual(
    upsert.points.map((p) => p.vector),
    docs<IndicesValues>('indices_values').map((d) => ({ dense: d.dense, sparse: d.sparse })),
  );
  assert.deepEqual(search.prefetch, [
    { query: query('indices_values').sparse, using: 'sparse', limit: 100 },
    { query: query('indices_values').dense, using: 'dense', limit: 100 },
  ]);
  for (const d of docs<IndicesValues>('indices_values')) {
    assert.deepEqual(
      d.sparse.indices,
      [...d.sparse.indices].sort((a, b) => a - b),
      'ids ascending, as Qdrant wants them',
    );
  }
});

test("Milvus: a FloatVector of the model's dimension and a SparseFloatVector holding the dict output", () => {
  const { create, insert, search } = json(bodies.milvus(docs<Weights>('dict'), query<Weights>('dict'), dim));
  assert.ok('fields' in create);
  assert.deepEqual(
    create.fields.map((f) => [f.name, f.data_type, f.dim]),
    [
      ['id', 'Int64', undefined],
      ['dense', 'FloatVector', dim],
      ['sparse', 'SparseFloatVector', undefined],
    ],
  );
  assert.ok('data' in insert);
  assert.deepEqual(
    insert.data,
    docs<Weights>('dict').map((d, i) => ({ id: i + 1, dense: d.dense, sparse: d.sparse })),
  );
  assert.deepEqual(search.data, query('dict').sparse);
  assert.ok(
    Object.keys(query<Weights>('dict').sparse).every((k) => /^\d+$/.test(k)),
    'dict keys are token ids',
  );
});

test("Elasticsearch: dense_vector of the model's dimension, sparse_vector documents and query from the tokens output", () => {
  const { create, index, search } = json(bodies.elasticsearch(docs<Weights>('tokens'), query<Weights>('tokens'), dim));
  assert.deepEqual(create.mappings!.properties!.dense, { type: 'dense_vector', dims: dim, similarity: 'dot_product' });
  assert.deepEqual(
    index.map((r) => r.document),
    docs<Weights>('tokens').map((d) => ({ dense: d.dense, tokens: d.sparse })),
  );
  for (const r of index) {
    for (const [key, weight] of Object.entries(r.document!.tokens)) {
      assert.ok(!key.includes('.') && key !== '' && weight > 0, `"${key}": ${weight} is a feature Elasticsearch accepts`);
    }
  }
  assert.deepEqual(search.query!.sparse_vector!.query_vector, query('tokens').sparse);
});

/** pgvector's text forms, parsed independently of the code that wrote them. */
function parseSparsevec(text: string): { dims: number; entries: Map<number, number> } {
  const m = /^\{(.*)\}\/(\d+)$/.exec(text);
  assert.ok(m, `${text.slice(0, 40)}… is {index:value,…}/dims`);
  const entries = new Map(m[1].split(',').map((e) => e.split(':').map(Number) as [number, number]));
  return { dims: Number(m[2]), entries };
}
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const sparseDot = (a: Map<number, number>, b: Map<number, number>) => [...a].reduce((s, [k, v]) => s + v * (b.get(k) ?? 0), 0);

test('pgvector: the vector and sparsevec literals parse back to inner products equal to scores.dense and scores.sparse', () => {
  const { create, insert, search } = bodies.pgvector(docs<IndicesValues>('indices_values'), query<IndicesValues>('indices_values'), dim);
  assert.match(create.text, new RegExp(`dense vector\\(${dim}\\)`));
  const q = { dense: JSON.parse(search.values![0]) as number[], sparse: parseSparsevec(search.values![1]) };
  insert.forEach((config, i) => {
    const placeholders = new Set(config.text.match(/\$\d+/g));
    assert.equal(placeholders.size, config.values!.length, 'one value per placeholder');
    const sparse = parseSparsevec(config.values![2]);
    assert.equal(sparse.dims, 250002);
    const want = docs<IndicesValues>('indices_values')[i].sparse;
    assert.deepEqual(
      [...sparse.entries.keys()],
      want.indices.map((id) => id + 1),
      'ids + 1, ascending',
    );
    assert.ok(Math.abs(dot(JSON.parse(config.values![1]), q.dense) - scores.dense[i]) < 1e-6, `dense of text ${i}`);
    assert.ok(Math.abs(sparseDot(sparse.entries, q.sparse.entries) - scores.sparse[i]) < 1e-6, `sparse of text ${i}`);
  });
  assert.ok(
    scores.sparse.some((s) => s > 0),
    'some texts share tokens with the query',
  );
});
