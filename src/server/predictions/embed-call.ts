// Runs one embed call of the OpenAI, TEI or Cohere routes, or one rerank call, in a
// prediction slot, as /v1 predictions run: it waits for a free slot (or for
// setup) in the same queue, and the client hanging up cancels it. The routes
// turn the outcome into their protocol's reply.
import type { Response } from 'express';
import type { ClientError } from '../../api/errors.ts';
import { logOutcome, type ServerContext } from '../context.ts';
import { Prediction } from './prediction.ts';
import type { RerankRequest, RerankResult } from '../../api/rerank-request.ts';
import type { EmbedCall, EmbedReply, PredictorLike } from '../types.ts';

/** Why an embed or rerank call did not produce its answer: the kinds of the protocols' error tables. */
export type EmbedFailure =
  /** The Predictor refused the request (too long, too many tokens, a bad token id, an invalid input); `error.index` names the input. */
  | { kind: 'client'; error: ClientError }
  /** Every slot is taken and the waiting queue is full. */
  | { kind: 'overloaded'; message: string }
  /** Shutting down, setup failed, or the predictor has no embed(). */
  | { kind: 'unavailable'; message: string }
  /** The model failed (the server log has it). */
  | { kind: 'internal'; message: string }
  | { kind: 'canceled'; message: string };

export type SlotOutcome<T> = { ok: true; value: T } | ({ ok: false } & EmbedFailure);
export type EmbedOutcome = SlotOutcome<EmbedReply>;

export async function runEmbedCall(ctx: ServerContext, res: Response, call: EmbedCall, api: 'openai' | 'tei' | 'cohere'): Promise<EmbedOutcome> {
  if (!ctx.predictor.embed) return { ok: false, kind: 'unavailable', message: "This server's predictor cannot embed token inputs." };
  return runInSlot(ctx, res, api, (predictor, c) => predictor.embed!(call, c));
}

/** One rerank call (Predictor.rerank) in a slot, for the Cohere, Jina and TEI rerank routes. */
export async function runRerankCall(ctx: ServerContext, res: Response, call: RerankRequest, api: 'cohere' | 'tei'): Promise<SlotOutcome<RerankResult>> {
  if (!ctx.predictor.rerank) return { ok: false, kind: 'unavailable', message: "This server's predictor cannot rerank." };
  return runInSlot(ctx, res, api, (predictor, c) => predictor.rerank!(call, c));
}

type SlotWork<T> = (predictor: PredictorLike, ctx: { signal: AbortSignal; log: (line: string) => void }) => Promise<T>;

async function runInSlot<T>(ctx: ServerContext, res: Response, api: 'openai' | 'tei' | 'cohere', work: SlotWork<T>): Promise<SlotOutcome<T>> {
  if (ctx.shutdown.requested) return { ok: false, kind: 'unavailable', message: 'The server is shutting down and accepts no new requests.' };
  if (setupFailed(ctx)) return { ok: false, kind: 'unavailable', message: 'The model failed to load; GET /health-check has the setup logs.' };
  const p = new Prediction({ api, id: null, input: {}, run: work });
  if (!ctx.runner.startOrQueue(p)) {
    res.set('retry-after', '1');
    return {
      ok: false,
      kind: 'overloaded',
      message: `All ${ctx.runner.slots} prediction slots are busy and ${ctx.runner.queuedCount} requests are already waiting (BGE_M3_V1_QUEUE_MAX). Retry shortly.`,
    };
  }
  logOutcome(ctx, p, api);
  const hangUp = () => {
    if (!p.terminal) ctx.runner.cancel(p);
  };
  res.once('close', () => {
    if (!res.writableFinished) hangUp();
  });
  await p.settled;
  if (p.status === 'succeeded') return { ok: true, value: p.output as T };
  if (p.clientError) return { ok: false, kind: 'client', error: p.clientError };
  if (p.status === 'canceled') return { ok: false, kind: 'canceled', message: 'The request was canceled.' };
  if (setupFailed(ctx)) return { ok: false, kind: 'unavailable', message: 'The model failed to load; GET /health-check has the setup logs.' };
  return { ok: false, kind: 'internal', message: 'The model failed on this request; the server log has the details.' };
}

function setupFailed(ctx: ServerContext): boolean {
  return ctx.setup.status === 'failed';
}
