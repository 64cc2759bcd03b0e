// TEI's POST /rerank for BGE-M3: {query, texts, truncate, truncation_direction,
// raw_scores, return_text} -> [{index, score, text?}], best first, where the
// score is BGE-M3's hybrid score (FlagEmbedding's compute_score) rather than a
// cross-encoder's logit; raw_scores changes nothing, as no sigmoid is applied.
// score_weights is this server's extension; each rank carries the three
// component scores under `scores`, and `truncated: true` when its text was cut.
// Length rules and errors as /embed's.
import type { Response } from 'express';
import { checkRerankRequest, describe, parseWeights, RERANK_MAX_DOCUMENTS, RerankInputError } from '../../api/rerank-request.ts';
import { rankOrder } from '../../api/rerank-scores.ts';
import { MAX_POSITION_TOKENS } from '../../engine/model-facts.ts';
import type { ServerContext } from '../context.ts';
import { runRerankCall } from '../predictions/embed-call.ts';
import { sendTeiFailure } from './errors.ts';
import { invalid, optionalBool, TeiRequestError, truncationDirection } from './request.ts';

export async function teiRerank(ctx: ServerContext, body: Record<string, unknown>, res: Response): Promise<void> {
  if (typeof body.query !== 'string') throw invalid(`\`query\` must be a string (got ${describe(body.query)}).`);
  const texts = body.texts;
  if (!Array.isArray(texts)) throw invalid(`\`texts\` must be an array of strings (got ${describe(texts)}).`);
  if (texts.length === 0) throw new TeiRequestError('empty_input', 'Input validation error: `texts` cannot be empty');
  if (texts.length > RERANK_MAX_DOCUMENTS) throw invalid(`batch size ${texts.length} > maximum allowed batch size ${RERANK_MAX_DOCUMENTS}`);
  const bad = texts.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) throw invalid(`\`texts\`[${bad}] must be a string (got ${describe(texts[bad])}).`);
  optionalBool(body, 'raw_scores'); // accepted: the hybrid score is returned either way
  const returnText = optionalBool(body, 'return_text') ?? false;
  const call = {
    query: body.query,
    documents: texts as string[],
    weights: weightsOf(body.score_weights),
    truncate: optionalBool(body, 'truncate') ?? false,
    truncationDirection: truncationDirection(body.truncation_direction),
  };
  try {
    checkRerankRequest(call); // refused before it waits for a slot
  } catch (e) {
    if (e instanceof RerankInputError) throw invalid(inputMessage(e.field, e.index, e.problem, e.message));
    throw e;
  }
  const outcome = await runRerankCall(ctx, res, call, 'tei');
  if (res.destroyed) return;
  if (!outcome.ok)
    return sendTeiFailure(res, outcome, (e) =>
      e instanceof RerankInputError ? inputMessage(e.field, e.index, e.problem, e.message) : `Input validation error: ${e.message}`,
    );
  const { scores, tokenCounts, truncated, queryTokenCount } = outcome.value;
  ctx.metrics.rerankAnswered('tei', texts.length);
  const chars = [call.query, ...call.documents].reduce((n, t) => n + [...t].length, 0);
  res.set({ 'x-compute-tokens': String(tokenCounts.reduce((a, b) => a + b, queryTokenCount)), 'x-compute-characters': String(chars) });
  res.json(
    rankOrder(scores.map((s) => s.hybrid)).map((index) => {
      const { dense, sparse, colbert, hybrid } = scores[index];
      return {
        index,
        score: hybrid,
        ...(returnText ? { text: call.documents[index] } : {}),
        scores: { dense, sparse, colbert },
        ...(truncated[index] ? { truncated: true } : {}),
      };
    }),
  );
}

function weightsOf(v: unknown) {
  try {
    return parseWeights(v);
  } catch (e) {
    if (e instanceof RerankInputError) throw invalid(`Input validation error: \`score_weights\` ${e.message}`);
    throw e;
  }
}

/** TEI's words for a RerankInputError: the field as TEI's request names it. */
function inputMessage(field: string | undefined, index: number | null, problem: string, message: string): string {
  const name =
    field === 'documents' ? (index === null ? '`texts`' : `\`texts\`[${index}]`) : field === 'weights' ? '`score_weights`' : `\`${field ?? 'texts'}\``;
  const hint = problem === 'too_long' ? `. Send "truncate": true to keep ${MAX_POSITION_TOKENS - 2} of its tokens` : '';
  return `Input validation error: ${name}: ${message}${hint}`;
}
