// Cohere's rerank requests (v1, which Jina's API shares, and v2) read into the
// Predictor's RerankRequest. Fields Cohere defines but this model has no use
// for are checked and ignored (max_chunks_per_doc, priority); score_weights is
// this server's extension. Every refusal names the field, in Cohere's words.
import { describe, parseWeights, RerankInputError, type RerankRequest } from '../../api/rerank-request.ts';
import { CohereBadRequest, invalidRequest } from './errors.ts';

export type CohereVersion = 'v1' | 'v2';

export interface CohereDocument {
  text: string;
  /** A v1 document given as an object: returned as given with return_documents. */
  original?: Record<string, unknown>;
}

export interface ParsedRerank {
  call: RerankRequest;
  model: string;
  documents: CohereDocument[];
  topN?: number;
  returnDocuments: boolean;
}

export const DEFAULT_MODEL = 'BAAI/bge-m3';

export function parseCohereRerank(body: unknown, version: CohereVersion): ParsedRerank {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CohereBadRequest('body', 'invalid request: the body must be a JSON object such as {"query": "…", "documents": ["…"]}.');
  }
  const b = body as Record<string, unknown>;
  const model = optionalString(b, 'model') ?? DEFAULT_MODEL;
  if (typeof b.query !== 'string')
    throw invalidRequest('query', b.query === undefined || b.query === null ? 'is required' : `must be a string (got ${describe(b.query)})`);
  const documents = parseDocuments(b.documents, version);
  const topN = positiveInt(b, 'top_n');
  const returnDocuments = version === 'v1' ? (optionalBool(b, 'return_documents') ?? false) : false;
  if (version === 'v1') {
    positiveInt(b, 'max_chunks_per_doc'); // accepted and ignored: a document is scored whole, up to the model's 8192 tokens
    checkRankFields(b.rank_fields);
  } else if (b.priority !== undefined && b.priority !== null && typeof b.priority !== 'number') {
    throw invalidRequest('priority', `must be a number (got ${describe(b.priority)})`);
  }
  const maxTokensPerDoc = version === 'v2' ? positiveInt(b, 'max_tokens_per_doc') : undefined;
  let weights;
  try {
    weights = parseWeights(b.score_weights);
  } catch (e) {
    if (e instanceof RerankInputError) throw invalidRequest('score_weights', e.message);
    throw e;
  }
  return {
    call: { query: b.query, documents: documents.map((d) => d.text), weights, truncate: true, maxTokensPerDoc },
    model,
    documents,
    topN,
    returnDocuments,
  };
}

function parseDocuments(v: unknown, version: CohereVersion): CohereDocument[] {
  const shapes = version === 'v1' ? 'strings or objects with a "text" string' : 'strings';
  if (v === undefined || v === null) throw invalidRequest('documents', `is required: a list of ${shapes}`);
  if (!Array.isArray(v)) throw invalidRequest('documents', `must be a list of ${shapes} (got ${describe(v)})`);
  if (v.length === 0) throw new CohereBadRequest('documents', 'invalid request: list of documents must not be empty.');
  return v.map((d, i) => {
    if (typeof d === 'string') return { text: d };
    if (version === 'v1' && typeof d === 'object' && d !== null && !Array.isArray(d)) {
      const text = (d as Record<string, unknown>).text;
      if (typeof text === 'string') return { text, original: d as Record<string, unknown> };
      throw invalidRequest(
        `documents[${i}].text`,
        text === undefined ? 'is required: an object document needs its text in a "text" string' : `must be a string (got ${describe(text)})`,
      );
    }
    throw invalidRequest(`documents[${i}]`, `must be ${version === 'v1' ? 'a string or an object with a "text" string' : 'a string'} (got ${describe(d)})`);
  });
}

/** rank_fields: this model ranks the "text" field only. */
function checkRankFields(v: unknown): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v) && v.length === 1 && v[0] === 'text') return;
  throw invalidRequest(
    'rank_fields',
    `is not available on this server: documents are ranked by their "text" field only (got ${JSON.stringify(v)?.slice(0, 100)})`,
  );
}

function positiveInt(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalidRequest(key, `must be an integer of at least 1 (got ${describe(v)})`);
  return v;
}

function optionalBool(b: Record<string, unknown>, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidRequest(key, `must be a boolean (got ${describe(v)})`);
  return v;
}

function optionalString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(key, `must be a string (got ${describe(v)})`);
  return v;
}
