// The request bodies README.md's "Store it" shows for the stores whose servers
// cannot run here, typed with each official client's request types, so a
// renamed or misplaced field fails `tsc -p .`; request-bodies.test.ts feeds
// them real output and checks the README shows each function as written
// here (the text between a `// <readme NAME>` line and `// </readme>`).
import type { estypes } from '@elastic/elasticsearch';
import type { Schemas } from '@qdrant/js-client-rest';
import type { CreateCollectionReq, InsertReq, SearchSimpleReq } from '@zilliz/milvus2-sdk-node';
import type { QueryConfig } from 'pg';

/** A text's or the query's outputs: `sparse` in the sparse_format each store asks for. */
export interface Embedded<Sparse> {
  dense: number[];
  sparse: Sparse;
}
export type IndicesValues = { indices: number[]; values: number[] };
export type Weights = Record<string, number>;

// <readme qdrant>
// "sparse_format": "indices_values"; PUT /collections/docs/points, then POST /collections/docs/points/query
function qdrant(docs: Embedded<IndicesValues>[], query: Embedded<IndicesValues>) {
  const upsert: Schemas['PointInsertOperations'] = {
    points: docs.map((d, i) => ({ id: i + 1, vector: { dense: d.dense, sparse: d.sparse } })),
  };
  const search: Schemas['QueryRequest'] = {
    prefetch: [
      { query: query.sparse, using: 'sparse', limit: 100 },
      { query: query.dense, using: 'dense', limit: 100 },
    ],
    query: { fusion: 'rrf' },
    limit: 10,
  };
  return { upsert, search };
}
// </readme>

// <readme milvus>
// the default "dict"; MilvusClient's createCollection, insert and search
function milvus(docs: Embedded<Weights>[], query: Embedded<Weights>, dim: number) {
  const create: CreateCollectionReq = {
    collection_name: 'docs',
    fields: [
      { name: 'id', data_type: 'Int64', is_primary_key: true },
      { name: 'dense', data_type: 'FloatVector', dim },
      { name: 'sparse', data_type: 'SparseFloatVector' },
    ],
  };
  const insert: InsertReq = { collection_name: 'docs', data: docs.map((d, i) => ({ id: i + 1, dense: d.dense, sparse: d.sparse })) };
  const search: SearchSimpleReq = { collection_name: 'docs', anns_field: 'sparse', data: query.sparse, metric_type: 'IP', limit: 10 };
  return { create, insert, search };
}
// </readme>

// <readme elasticsearch>
// "sparse_format": "tokens"; @elastic/elasticsearch's indices.create, index and search
function elasticsearch(docs: Embedded<Weights>[], query: Embedded<Weights>, dim: number) {
  const create: estypes.IndicesCreateRequest = {
    index: 'docs',
    mappings: {
      properties: {
        dense: { type: 'dense_vector', dims: dim, similarity: 'dot_product' },
        tokens: { type: 'sparse_vector' },
      },
    },
  };
  const index: estypes.IndexRequest<{ dense: number[]; tokens: Weights }>[] = docs.map((d, i) => ({
    index: 'docs',
    id: String(i + 1),
    document: { dense: d.dense, tokens: d.sparse },
  }));
  const search: estypes.SearchRequest = {
    index: 'docs',
    query: { sparse_vector: { field: 'tokens', query_vector: query.sparse } },
    knn: { field: 'dense', query_vector: query.dense, k: 10, num_candidates: 100 },
  };
  return { create, index, search };
}
// </readme>

// <readme pgvector>
// "sparse_format": "indices_values"; pg's client.query(config) for each
function pgvector(docs: Embedded<IndicesValues>[], query: Embedded<IndicesValues>, dim: number) {
  // sparsevec counts dimensions from 1 over BGE-M3's 250002 token ids: id + 1, ascending.
  const sparsevec = (s: IndicesValues) => `{${s.indices.map((id, k) => `${id + 1}:${s.values[k]}`).join(',')}}/250002`;
  const create: QueryConfig<[]> = {
    text: `CREATE TABLE docs (id bigint PRIMARY KEY, dense vector(${dim}), sparse sparsevec(250002))`,
  };
  const insert: QueryConfig<[number, string, string]>[] = docs.map((d, i) => ({
    text: 'INSERT INTO docs (id, dense, sparse) VALUES ($1, $2, $3)',
    values: [i + 1, JSON.stringify(d.dense), sparsevec(d.sparse)],
  }));
  // <#> is the negative inner product: the smallest first is the best match.
  const search: QueryConfig<[string, string]> = {
    text: 'SELECT id, -(dense <#> $1) AS dense_score, -(sparse <#> $2) AS sparse_score FROM docs ORDER BY sparse <#> $2 LIMIT 10',
    values: [JSON.stringify(query.dense), sparsevec(query.sparse)],
  };
  return { create, insert, search };
}
// </readme>

export const bodies = { qdrant, milvus, elasticsearch, pgvector };
