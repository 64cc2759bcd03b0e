// A rerank request as the Predictor takes it, whichever door it came in by
// (Cohere, Jina, TEI): a query, documents as strings, the hybrid score's
// weights, and the length rules. Its checks name the field at fault, so each
// protocol can answer with its own 4xx; the weights' defaults live here too.
import { setting, type Env } from '../settings.ts';
import { ClientError } from './errors.ts';
import { inputSchema } from './schema.ts';
import { maxRequestChars } from './request-size.ts';

/** Documents one rerank request may hold (Cohere's recommended maximum). */
export const RERANK_MAX_DOCUMENTS = 1000;

/** The environment variable holding the server's default rerank weights, e.g. "0.4,0.2,0.4". */

export type ScoreWeights = readonly [number, number, number];

export interface RerankRequest {
  query: string;
  documents: readonly string[];
  /** Weights of dense, sparse and ColBERT in the hybrid score; default rerankWeights(). */
  weights?: ScoreWeights;
  /** Over-long texts: false refuses them, true keeps 8192 tokens (counting <s> and </s>). */
  truncate: boolean;
  /** Which end of a text loses tokens when truncating; default right (keep the head). */
  truncationDirection?: 'left' | 'right';
  /** Tokens kept per document, <s> and </s> not counted (Cohere's max_tokens_per_doc); cut at the model's limit regardless. */
  maxTokensPerDoc?: number;
}

export interface ComponentScores {
  dense: number;
  sparse: number;
  colbert: number;
}

export interface DocumentScore extends ComponentScores {
  hybrid: number;
}

export interface RerankResult {
  /** One per document, in request order. */
  scores: DocumentScore[];
  weights: ScoreWeights;
  /** Tokens each document was scored with, counting <s> and </s>. */
  tokenCounts: number[];
  truncated: boolean[];
  queryTokenCount: number;
  queryTruncated: boolean;
}

export type RerankField = 'query' | 'documents' | 'weights' | 'max_tokens_per_doc';
export type RerankProblem = 'missing' | 'invalid' | 'empty' | 'too_many' | 'too_long' | 'too_large';

/**
 * A rerank request the protocols answer with their "invalid request" error:
 * `field` is the request field at fault (each protocol names it its own way),
 * `index` the document when one is at fault; the message says what is wrong
 * without naming the field.
 */
export class RerankInputError extends ClientError {
  constructor(
    message: string,
    readonly field: RerankField,
    readonly problem: RerankProblem,
    index: number | null = null,
  ) {
    super(problem === 'too_long' ? 'too_long' : 'invalid_input', message, [], index);
    this.name = 'RerankInputError';
  }
}

/** score_weights' default in schema.json: what /predictions uses. */
export const SCHEMA_SCORE_WEIGHTS = inputSchema.properties.score_weights.default as ScoreWeights;

/** The problem with a weights value, or undefined when it is three finite numbers >= 0 with a positive sum. */
export function weightsProblem(w: unknown): string | undefined {
  if (!Array.isArray(w) || w.length !== 3) return `must be an array of three numbers [dense, sparse, colbert] (got ${describe(w)})`;
  if (!w.every((x) => typeof x === 'number' && Number.isFinite(x))) return `must hold three finite numbers (got ${JSON.stringify(w)})`;
  if (w.some((x) => x < 0)) return `must not be negative (got ${JSON.stringify(w)})`;
  if (w[0] + w[1] + w[2] <= 0) return `must not all be 0: the hybrid score divides by their sum (got ${JSON.stringify(w)})`;
  return undefined;
}

/** Checks a request's weights value; undefined and null mean "the default". */
export function parseWeights(w: unknown): ScoreWeights | undefined {
  if (w === undefined || w === null) return undefined;
  const problem = weightsProblem(w);
  if (problem) throw new RerankInputError(problem, 'weights', 'invalid');
  return [...(w as number[])] as unknown as ScoreWeights;
}

/**
 * The server's default weights: BGE_M3_RERANK_WEIGHTS ("w_dense,w_sparse,w_colbert")
 * when set, else schema.json's score_weights default. Throws naming the variable when it does not parse.
 */
export function rerankWeights(env?: Env): ScoreWeights {
  const raw = setting('BGE_M3_RERANK_WEIGHTS', env);
  if (raw === undefined) return SCHEMA_SCORE_WEIGHTS;
  const parts = raw
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim());
  const w = parts.map((s) => (s === '' ? NaN : Number(s)));
  const problem = weightsProblem(w);
  if (problem)
    throw new Error(
      `BGE_M3_RERANK_WEIGHTS=${JSON.stringify(raw)} is not valid: the weights ${problem.replace(/ \(got .*\)$/, '')}, written like "0.4,0.2,0.4". Fix or unset it.`,
    );
  return w as unknown as ScoreWeights;
}

/** Throws RerankInputError for the first thing wrong with `req`, before any tokenization. */
export function checkRerankRequest(req: RerankRequest): void {
  if (typeof req.query !== 'string') throw new RerankInputError('is required and must be a string', 'query', 'missing');
  if (req.query.trim() === '') throw new RerankInputError('must not be empty or only white space', 'query', 'empty');
  if (!Array.isArray(req.documents)) throw new RerankInputError('must be an array of texts', 'documents', 'invalid');
  if (req.documents.length === 0) throw new RerankInputError('must not be empty: send at least one document', 'documents', 'empty');
  if (req.documents.length > RERANK_MAX_DOCUMENTS) {
    throw new RerankInputError(
      `holds ${req.documents.length} documents; this server ranks at most ${RERANK_MAX_DOCUMENTS} per request`,
      'documents',
      'too_many',
    );
  }
  const bad = req.documents.findIndex((d) => typeof d !== 'string');
  if (bad >= 0) throw new RerankInputError(`must be a string (got ${describe(req.documents[bad])})`, 'documents', 'invalid', bad);
  if (req.weights !== undefined) parseWeights(req.weights);
  const max = req.maxTokensPerDoc;
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= 1))
    throw new RerankInputError(`must be an integer of at least 1 (got ${describe(max)})`, 'max_tokens_per_doc', 'invalid');
  checkSize(req);
}

/** The request-size rule of /predictions (BGE_M3_MAX_REQUEST_CHARS) over the documents, then the query. */
function checkSize(req: RerankRequest): void {
  const limit = maxRequestChars();
  let total = 0;
  const parts = [...req.documents.map((text, i) => ({ text, index: i as number | null })), { text: req.query, index: null }];
  for (const { text, index } of parts) {
    total += text.length;
    if (total <= limit) continue;
    throw new RerankInputError(
      `brings the request to ${total} characters, over the limit of ${limit} characters per request (BGE_M3_MAX_REQUEST_CHARS); send fewer or shorter documents per request`,
      index === null ? 'query' : 'documents',
      'too_large',
      index,
    );
  }
}

export function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
