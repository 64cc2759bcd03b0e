// The shapes a vector database ingests, made from the canonical output
// (lexical weights keyed by id, vectors as float32 arrays). Pure functions:
// the same numbers, written the way `sparse_format` and `vector_encoding` ask.
import type { LexicalWeights } from '../engine/heads/lexical.ts';
import type { Input, Output } from './schema-types.ts';
import { encodeFloat32Base64 } from './vector-encoding.ts';
import { quantize, type Ranges, type VectorType } from './vector-types.ts';

export type SparseFormat = Input['sparse_format'];
export type VectorEncoding = Input['vector_encoding'];

export interface IndicesValues {
  indices: number[];
  values: number[];
}

/** Qdrant's and Pinecone's sparse vector: ids ascending, each with its weight. */
export function toIndicesValues(weights: LexicalWeights): IndicesValues {
  const ids = Object.keys(weights)
    .map(Number)
    .sort((a, b) => a - b);
  return { indices: ids, values: ids.map((id) => weights[id]) };
}

/** Inverse of toIndicesValues. */
export function fromIndicesValues(iv: IndicesValues): LexicalWeights {
  return Object.fromEntries(iv.indices.map((id, i) => [String(id), iv.values[i]]));
}

/**
 * A rank_features key for a token's text. Elasticsearch refuses dots in
 * feature names ("[rank_features] fields do not support dots in feature
 * names") and an empty name; so "%" becomes %25 and "." %2E (reversible by
 * tokenFromKey), and the bare word-start token, whose text is empty, becomes
 * ▁ (U+2581, SentencePiece's own mark for it, which no decoded text holds).
 */
export function tokenKey(text: string): string {
  if (text === '') return WORD_START;
  return text.replace(/%/g, '%25').replace(/\./g, '%2E');
}

export function tokenFromKey(key: string): string {
  if (key === WORD_START) return '';
  return key.replace(/%2E/g, '.').replace(/%25/g, '%');
}

const WORD_START = '\u2581';

/**
 * Elasticsearch/OpenSearch rank_features: {token key: weight}. Ids whose text
 * gives the same key keep their largest weight (as Elasticsearch itself merges
 * repeated features of a sparse_vector).
 */
export function toTokenWeights(weights: LexicalWeights, tokenText: (id: number) => string): Record<string, number> {
  const byKey = new Map<string, number>();
  for (const [id, w] of Object.entries(weights)) {
    const key = tokenKey(tokenText(Number(id)));
    const seen = byKey.get(key);
    if (seen === undefined || w > seen) byKey.set(key, w);
  }
  // fromEntries defines own properties, so a token "__proto__" stays a key.
  return Object.fromEntries(byKey);
}

export function formatSparse(weights: LexicalWeights, format: SparseFormat, tokenText: (id: number) => string): LexicalWeights | IndicesValues {
  switch (format) {
    case 'dict':
      return weights;
    case 'indices_values':
      return toIndicesValues(weights);
    case 'tokens':
      return toTokenWeights(weights, tokenText);
  }
}

/** One dense vector: numbers, or one base64 string of its bytes in `type` (float32 unless asked). */
export function formatDense(vector: Float32Array, encoding: VectorEncoding, type: VectorType = 'float32', ranges?: Ranges): number[] | string {
  if (type !== 'float32') {
    const q = quantize(vector, type, ranges);
    return encoding === 'base64' ? Buffer.from(q.bytes).toString('base64') : q.values;
  }
  return encoding === 'base64' ? encodeFloat32Base64(vector) : Array.from(vector);
}

/**
 * One text's ColBERT rows (`flat` holds them row after row, `dim` each):
 * an array of rows, or one base64 string of all of them, since a client
 * decodes one buffer faster than thousands of strings and the rows' count is
 * the text's token_counts - 1. Each row is quantized on its own.
 */
export function formatColbert(flat: Float32Array, dim: number, encoding: VectorEncoding, type: VectorType = 'float32', ranges?: Ranges): number[][] | string {
  if (type !== 'float32') {
    const rows: ReturnType<typeof quantize>[] = [];
    for (let i = 0; i < flat.length; i += dim) rows.push(quantize(flat.subarray(i, i + dim), type, ranges));
    return encoding === 'base64' ? Buffer.concat(rows.map((r) => r.bytes)).toString('base64') : rows.map((r) => r.values);
  }
  if (encoding === 'base64') return encodeFloat32Base64(flat);
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += dim) out.push(Array.from(flat.subarray(i, i + dim)));
  return out;
}

/** An Output in the default shapes (sparse_format "dict", vector_encoding "float"). */
export type FloatOutput = Omit<Output, 'dense_vecs' | 'lexical_weights' | 'colbert_vecs' | 'chunks'> & {
  dense_vecs?: number[][];
  lexical_weights?: LexicalWeights[];
  colbert_vecs?: number[][][];
  chunks?: FloatChunk[];
};

/** One of `chunks` (chunk_tokens) in the default shapes. */
export type FloatChunk = Omit<NonNullable<Output['chunks']>[number], 'dense_vec' | 'lexical_weights' | 'colbert_vecs'> & {
  dense_vec?: number[];
  lexical_weights?: LexicalWeights;
  colbert_vecs?: number[][];
};

/**
 * Narrows the output of a prediction made with the default formats, for code
 * that asks for those (other protocols, tests); throws if it holds another shape.
 */
export function asFloatOutput(out: Output): FloatOutput {
  const chunks = out.chunks ?? [];
  const vectors = [...(out.dense_vecs ?? []), ...(out.colbert_vecs ?? []), ...chunks.flatMap((c) => [c.dense_vec, c.colbert_vecs])];
  const encoded = vectors.some((v) => typeof v === 'string');
  const lexical = [...(out.lexical_weights ?? []), ...chunks.map((c) => c.lexical_weights ?? {})];
  const pairs = lexical.some((l) => Array.isArray((l as Record<string, unknown>).indices));
  if (encoded || pairs) throw new Error('asFloatOutput: the output is not in the default float/dict shapes');
  return out as unknown as FloatOutput;
}
