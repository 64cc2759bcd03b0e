// Replicate's API v1, enough for the official `replicate` client pointed at
// baseUrl http://host:port/v1: create (plain, by model, by deployment; with
// `Prefer: wait[=n]`), get, cancel, list. /v1 predictions wait for a free
// slot (status `starting`) instead of getting Cog's 409.
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Request, type Response, type Router } from 'express';
import { requestOwner } from '../auth/guard.ts';
import { addWebhook, logOutcome, traceHeaders, type ServerContext } from '../context.ts';
import { jsonBody } from '../http/json-body.ts';
import { newPredictionId } from '../predictions/ids.ts';
import { Prediction } from '../predictions/prediction.ts';
import { checkInput, isPlainObject, parseWebhookFields } from '../predictions/request-body.ts';
import { BadCursorError } from '../predictions/store.ts';
import type { ValidationDetail } from '../types.ts';
import { toV1Response, toV1WebhookPayload } from './json.ts';
import { selfWebhookIssue } from '../predictions/webhook-self.ts';
import { sendV1Error, sendV1ValidationError } from './errors.ts';

const DEFAULT_MODEL = 'bge-m3-cog/bge-m3';
const MAX_WAIT_SECONDS = 60;

export function v1Routes(ctx: ServerContext): Router {
  const r = express.Router();
  const json = jsonBody(ctx.config.maxBodyBytes);
  r.post('/predictions', json, (req, res) => create(ctx, req, res, {}));
  r.post('/models/:owner/:name/predictions', json, (req, res) => create(ctx, req, res, { model: slug(req) }));
  r.post('/deployments/:owner/:name/predictions', json, (req, res) => create(ctx, req, res, { model: slug(req), deployment: slug(req) }));
  r.get('/predictions', (req, res) => list(ctx, req, res));
  r.get('/predictions/:id', (req, res) => {
    const p = ctx.store.get(req.params.id as string, requestOwner(res));
    if (!p) return notFound(res, req.params.id as string);
    res.json(toV1Response(p, baseUrl(req)));
  });
  r.post('/predictions/:id/cancel', (req, res) => {
    const p = ctx.store.get(req.params.id as string, requestOwner(res));
    if (!p) return notFound(res, req.params.id as string);
    ctx.runner.cancel(p);
    res.json(toV1Response(p, baseUrl(req)));
  });
  return r;
}

function slug(req: Request): string {
  return `${req.params.owner}/${req.params.name}`;
}

export function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function notFound(res: Response, id: string): void {
  sendV1Error(res, { kind: 'not_found', message: `No prediction ${JSON.stringify(id)}: it never existed here or has passed its retention limit.` });
}

async function create(ctx: ServerContext, req: Request, res: Response, route: { model?: string; deployment?: string }): Promise<void> {
  const body: unknown = req.body ?? {};
  const detail: ValidationDetail[] = [];
  if (!isPlainObject(body)) {
    return sendV1ValidationError(res, [
      { loc: ['body'], msg: 'The request body must be a JSON object such as {"input": {"texts": ["hello"]}}.', type: 'type_error.dict' },
    ]);
  }
  const input = checkInput(body.input, detail);
  const webhook = parseWebhookFields(body, detail);
  if (body.version !== undefined && typeof body.version !== 'string') {
    detail.push({ loc: ['body', 'version'], msg: 'version must be a string', type: 'type_error.str' });
  }
  if (detail.length || !input) return sendV1ValidationError(res, detail);
  const loop = await selfWebhookIssue(webhook?.url, req);
  if (loop) return sendV1ValidationError(res, [loop]);
  if (ctx.shutdown.requested) return sendV1Error(res, { kind: 'unavailable', message: 'The server is shutting down and accepts no new predictions.' });

  const base = baseUrl(req);
  const version = typeof body.version === 'string' ? body.version : ctx.modelVersion;
  const p = new Prediction({
    api: 'v1',
    id: newPredictionId(),
    input,
    webhook,
    owner: requestOwner(res),
    v1: { model: route.model ?? DEFAULT_MODEL, version, baseUrl: base, deployment: route.deployment },
  });
  if (webhook) addWebhook(ctx, p, { request: webhook, payload: () => toV1WebhookPayload(p, base), headers: traceHeaders((n) => req.get(n)) });
  if (!ctx.runner.startOrQueue(p)) {
    res.set('retry-after', '1');
    return sendV1Error(res, {
      kind: 'overloaded',
      message: `${ctx.runner.queuedCount} predictions are already waiting for a slot (BGE_M3_V1_QUEUE_MAX). Retry shortly.`,
    });
  }
  ctx.store.add(p);
  logOutcome(ctx, p, 'v1');

  const wait = preferWaitSeconds(req.get('prefer'));
  if (wait !== undefined) await settledWithin(p, wait, res);
  if (res.destroyed) return;
  const out = toV1Response(p, base);
  res
    .status(wait !== undefined && !p.terminal ? 202 : 201)
    .location((out.urls as { get: string }).get)
    .json(out);
}

/** `Prefer: wait` (60 s) or `wait=n` (1..60 s); undefined without it. */
export function preferWaitSeconds(prefer: string | undefined): number | undefined {
  for (const part of (prefer ?? '').split(',')) {
    const m = /^\s*wait(?:\s*=\s*(\d+))?\s*$/i.exec(part);
    if (m) return m[1] === undefined ? MAX_WAIT_SECONDS : Math.min(Math.max(Number(m[1]), 1), MAX_WAIT_SECONDS);
  }
  return undefined;
}

/** Waits for `p` to end, at most `seconds`, or until the client hangs up. */
async function settledWithin(p: Prediction, seconds: number, res: Response): Promise<void> {
  const ac = new AbortController();
  const hungUp = new Promise<void>((resolve) => res.once('close', resolve));
  await Promise.race([p.settled, hungUp, sleep(seconds * 1000, undefined, { signal: ac.signal }).catch(() => {})]);
  ac.abort();
}

function list(ctx: ServerContext, req: Request, res: Response): void {
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  const base = baseUrl(req);
  try {
    const page = ctx.store.page(cursor, ctx.config.v1PageSize, requestOwner(res));
    const link = (c: string | null) => (c === null ? null : `${base}/v1/predictions?cursor=${encodeURIComponent(c)}`);
    res.json({ previous: link(page.previous), next: link(page.next), results: page.results.map((p) => toV1Response(p, base)) });
  } catch (err) {
    if (!(err instanceof BadCursorError)) throw err;
    sendV1Error(res, { kind: 'bad_request', title: 'Invalid cursor', message: err.message });
  }
}
