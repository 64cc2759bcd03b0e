// Cohere's rerank API: POST /v1/rerank (Cohere v1, and Jina's reranker API,
// which has the same shape and adds `usage`) and POST /v2/rerank, so Cohere's
// and Jina's clients, LangChain and LlamaIndex rerank with BGE-M3's hybrid
// score (dense + sparse + ColBERT, FlagEmbedding's compute_score) from the
// same Predictor and slots as /predictions; and POST /v2/embed (embed.ts).
// Errors: {"message": "..."}.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { checkRerankRequest, RerankInputError, type RerankResult } from '../../api/rerank-request.ts';
import { topRanked } from '../../api/rerank-scores.ts';
import type { ServerContext } from '../context.ts';
import { jsonBody } from '../http/json-body.ts';
import { runRerankCall } from '../predictions/embed-call.ts';
import { CohereBadRequest, inputMessage, sendCohereError, sendCohereFailure } from './errors.ts';
import { parseCohereRerank, type CohereVersion, type ParsedRerank } from './request.ts';
import { cohereEmbed } from './embed.ts';

export const COHERE_PATHS = ['/v1/rerank', '/v2/rerank', '/v2/embed'];

/** Cohere bills one search unit per query with up to this many documents. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;
/** Truncated documents named one by one in meta.warnings; beyond, a count. */
const WARNED_DOCUMENTS = 10;

export function cohereRoutes(ctx: ServerContext): Router {
  const r = express.Router();
  const json = jsonBody(ctx.config.maxBodyBytes);
  r.post('/v1/rerank', json, (req, res) => rerank(ctx, req, res, 'v1'));
  r.post('/v2/rerank', json, (req, res) => rerank(ctx, req, res, 'v2'));
  r.post('/v2/embed', json, (req, res) => cohereEmbed(ctx, req, res));
  r.all(COHERE_PATHS, (req, res) =>
    sendCohereError(res, { kind: 'method_not_allowed', message: `invalid request: ${req.method} is not allowed on ${req.path}; use POST.` }),
  );
  return r;
}

async function rerank(ctx: ServerContext, req: Request, res: Response, version: CohereVersion): Promise<void> {
  let parsed: ParsedRerank;
  try {
    parsed = parseCohereRerank(req.body, version);
    checkRerankRequest(parsed.call); // refused before it waits for a slot
  } catch (e) {
    if (e instanceof CohereBadRequest) return sendCohereError(res, { kind: 'invalid_input', message: e.message });
    if (e instanceof RerankInputError) return sendCohereError(res, { kind: e.kind, message: inputMessage(e) });
    throw e;
  }
  const outcome = await runRerankCall(ctx, res, parsed.call, 'cohere');
  if (res.destroyed) return;
  if (!outcome.ok) return sendCohereFailure(res, outcome);
  ctx.metrics.rerankAnswered(`cohere_${version}`, parsed.documents.length);
  res.json(version === 'v1' ? v1Reply(parsed, outcome.value) : v2Reply(parsed, outcome.value));
}

/** Cohere v1's response, with Jina's `model` and `usage` (Jina's API is Cohere v1's shape plus these). */
function v1Reply(parsed: ParsedRerank, result: RerankResult) {
  return {
    id: randomUUID(),
    results: results(parsed, result).map((r) => (parsed.returnDocuments ? { ...r, document: documentOf(parsed, r.index) } : r)),
    meta: meta('1', parsed, result),
    model: parsed.model,
    usage: { total_tokens: result.queryTokenCount + result.tokenCounts.reduce((a, b) => a + b, 0) },
  };
}

function v2Reply(parsed: ParsedRerank, result: RerankResult) {
  return { id: randomUUID(), results: results(parsed, result), meta: meta('2', parsed, result) };
}

/** Best first, top_n of them; `scores` (this server's extension) holds the three scores the hybrid one weighs. */
function results(parsed: ParsedRerank, result: RerankResult) {
  const hybrid = result.scores.map((s) => s.hybrid);
  return topRanked(hybrid, parsed.topN).map((index) => {
    const { dense, sparse, colbert } = result.scores[index];
    return { index, relevance_score: hybrid[index], scores: { dense, sparse, colbert } };
  });
}

/** A v1 document as it was sent: the object itself, or {text} for a string. */
function documentOf(parsed: ParsedRerank, index: number): Record<string, unknown> {
  const d = parsed.documents[index];
  return d.original ?? { text: d.text };
}

function meta(version: string, parsed: ParsedRerank, result: RerankResult) {
  const warnings = truncationWarnings(parsed, result);
  return {
    api_version: { version },
    billed_units: { search_units: Math.ceil(parsed.documents.length / DOCUMENTS_PER_SEARCH_UNIT) },
    ...(warnings.length ? { warnings } : {}),
    score_weights: result.weights,
  };
}

function truncationWarnings(parsed: ParsedRerank, result: RerankResult): string[] {
  const out: string[] = [];
  const cut = result.truncated.flatMap((t, i) => (t ? [i] : []));
  if (cut.length) {
    const limit = parsed.call.maxTokensPerDoc === undefined ? "the model's limit of 8192 tokens" : `max_tokens_per_doc (${parsed.call.maxTokensPerDoc} tokens)`;
    const named = cut
      .slice(0, WARNED_DOCUMENTS)
      .map((i) => `documents[${i}]`)
      .join(', ');
    const more = cut.length > WARNED_DOCUMENTS ? ` and ${cut.length - WARNED_DOCUMENTS} more` : '';
    out.push(`${cut.length} document${cut.length === 1 ? ' was' : 's were'} truncated to ${limit} before scoring: ${named}${more}.`);
  }
  if (result.queryTruncated) out.push("the query was truncated to the model's limit of 8192 tokens before scoring.");
  return out;
}
