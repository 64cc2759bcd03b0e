// Cog's prediction HTTP contract: /, /health-check, /openapi.json,
// /predictions (sync, async, idempotent PUT), cancel, /shutdown; and
// /calibration, the ranges behind vector_type int8/uint8.
import express, { type Request, type Response, type Router } from 'express';
import { requestOwner } from '../auth/guard.ts';
import { toCogResponse } from './json.ts';
import { addWebhook, healthStatus, logOutcome, traceHeaders, type ServerContext } from '../context.ts';
import { sendCogError, sendCogValidationError } from './errors.ts';
import { jsonBody } from '../http/json-body.ts';
import { buildOpenApiSchema } from './openapi.ts';
import { Prediction } from '../predictions/prediction.ts';
import { isPlainObject, parsePredictionRequest } from '../predictions/request-body.ts';
import { COG_CONTRACT_VERSION } from '../types.ts';
import { prefersHtml, playgroundPresent } from '../playground.ts';
import { selfWebhookIssue } from '../predictions/webhook-self.ts';
import { clientErrorIssues } from '../predictions/body-issues.ts';
import type { ProtocolError } from '../protocols.ts';

export function cogRoutes(ctx: ServerContext): Router {
  const r = express.Router();
  const json = jsonBody(ctx.config.maxBodyBytes);
  /**
   * In-flight predictions by client-supplied id (per API key when keys are
   * on, so one key can neither see nor cancel another's); forgotten when they
   * end, as in Cog.
   */
  const active = new Map<string, Prediction>();
  const openapi = buildOpenApiSchema({ bearer: ctx.auth.enabled });

  r.get('/', (req, res) => {
    if (prefersHtml(req) && playgroundPresent(ctx.webDir)) return res.redirect(302, '/playground/');
    res.json(rootDocument());
  });
  r.get('/health-check', (_req, res) => {
    const worker = ctx.model.workerJson();
    res.json({ status: healthStatus(ctx), setup: ctx.setup.toJson(), ...(worker ? { worker } : {}), ...(ctx.banner ? { banner: ctx.banner } : {}) });
  });
  r.get('/openapi.json', (_req, res) => res.json(openapi));
  r.post('/predictions', json, (req, res) => create(ctx, active, req, res, undefined));
  r.put('/predictions/:id', json, (req, res) => create(ctx, active, req, res, req.params.id as string));
  r.post('/predictions/:id/cancel', (req, res) => {
    const p = active.get(activeKey(res, req.params.id as string));
    if (!p) return res.status(404).json({}); // Cog's answer for an unknown id: an empty body, not an error
    ctx.runner.cancel(p);
    res.json({});
  });
  r.get('/calibration', (_req, res) => calibration(ctx, res));
  r.post('/shutdown', (_req, res) => {
    res.json({});
    ctx.shutdown.request('POST /shutdown');
  });
  return r;
}

/** The `active` map's key: the client's id, within the caller's API key. */
function activeKey(res: Response, id: string): string {
  return `${requestOwner(res) ?? ''}/${id}`;
}

function rootDocument(): Record<string, string> {
  return {
    cog_version: COG_CONTRACT_VERSION,
    docs_url: '/docs',
    openapi_url: '/openapi.json',
    shutdown_url: '/shutdown',
    healthcheck_url: '/health-check',
    predictions_url: '/predictions',
    predictions_idempotent_url: '/predictions/{prediction_id}',
    predictions_cancel_url: '/predictions/{prediction_id}/cancel',
  };
}

async function create(ctx: ServerContext, active: Map<string, Prediction>, req: Request, res: Response, pathId: string | undefined): Promise<void> {
  const body: unknown = req.body;
  if (pathId !== undefined && isPlainObject(body) && body.id != null && body.id !== pathId) {
    return sendCogValidationError(res, [{ loc: ['body', 'id'], msg: 'prediction ID must match the ID supplied in the URL', type: 'value_error' }]);
  }
  const parsed = parsePredictionRequest(body);
  if (!parsed.ok) return sendCogValidationError(res, parsed.detail);
  const loop = await selfWebhookIssue(parsed.value.webhook?.url, req);
  if (loop) return sendCogValidationError(res, [loop]);
  const id = pathId ?? parsed.value.id;
  const slot = id === null ? null : activeKey(res, id);
  const running = slot === null ? undefined : active.get(slot);
  if (running) {
    res.status(202).json(toCogResponse(running));
    return;
  }
  const refusal = admissionRefusal(ctx);
  if (refusal) return sendCogError(res, refusal);

  const p = new Prediction({
    api: 'cog',
    id,
    owner: requestOwner(res),
    input: parsed.value.input,
    requestCreatedAt: parsed.value.createdAt,
    webhook: parsed.value.webhook,
  });
  if (parsed.value.webhook) {
    addWebhook(ctx, p, { request: parsed.value.webhook, payload: () => toCogResponse(p), headers: traceHeaders((n) => req.get(n)) });
  }
  if (slot !== null) {
    active.set(slot, p);
    void p.settled.then(() => active.get(slot) === p && active.delete(slot));
  }
  logOutcome(ctx, p, 'cog');
  ctx.runner.tryStart(p); // admissionRefusal checked for a free slot just above

  if (respondAsync(req)) {
    res.status(202).json(toCogResponse(p));
    return;
  }
  // A sync client that hangs up no longer wants the result: free its slot.
  res.on('close', () => {
    if (!res.writableFinished) ctx.runner.cancel(p);
  });
  await p.settled;
  if (res.destroyed) return;
  if (p.clientError)
    return sendCogError(res, { kind: p.clientError.kind, message: p.error ?? p.clientError.message, issues: clientErrorIssues(p.clientError) });
  res.json(toCogResponse(p));
}

/**
 * GET /calibration: {hash, set, dense: {min, max}, colbert: {min, max}}, the
 * per-dimension ranges int8/uint8 answers were quantized with (named by their
 * `calibration` hash), so a client can quantize its own queries the same way.
 * Made on the first call when no answer has needed it yet.
 */
async function calibration(ctx: ServerContext, res: Response): Promise<void> {
  const refusal = admissionRefusal(ctx, false); // no runner slot: it may wait behind the predictions' batches
  if (refusal) return sendCogError(res, refusal);
  if (!ctx.predictor.calibration) return sendCogError(res, { kind: 'unavailable', message: "This server's predictor has no calibration." });
  try {
    res.json(await ctx.predictor.calibration());
  } catch (err) {
    sendCogError(res, {
      kind: 'unavailable',
      message: `No calibration could be made: ${(err as Error).message}. Run \`cli.ts calibrate\` beside the weights.`,
    });
  }
}

function respondAsync(req: Request): boolean {
  return (req.get('prefer') ?? '').split(',').some((v) => v.trim() === 'respond-async');
}

/** Why a request that needs the model is refused now; `slot`: it also needs a free runner slot. */
function admissionRefusal(ctx: ServerContext, slot = true): ProtocolError | undefined {
  if (ctx.shutdown.requested) {
    return { kind: 'unavailable', message: 'The server is shutting down and accepts no new predictions.' };
  }
  if (ctx.setup.status === 'starting') {
    return { kind: 'not_ready', message: 'Setup has not finished yet: the model is still loading. Retry when GET /health-check reports READY.' };
  }
  if (ctx.setup.status === 'failed') {
    return { kind: 'unavailable', message: `Setup failed, so this server cannot run predictions: ${ctx.setup.error}. GET /health-check has the setup logs.` };
  }
  const worker = ctx.model.worker;
  if (worker?.state === 'defunct') {
    return {
      kind: 'unavailable',
      message: `The model is defunct: its worker thread died (${worker.message}) and no restart is left. GET /health-check reports DEFUNCT; restart the server.`,
    };
  }
  if (slot && ctx.runner.busy) {
    const n = ctx.runner.slots;
    return { kind: 'busy', message: `Already running a prediction: all ${n} slot${n === 1 ? ' is' : 's are'} busy (COG_MAX_CONCURRENCY=${n}). Retry shortly.` };
  }
  return undefined;
}
