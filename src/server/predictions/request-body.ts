// Reads the envelope of a prediction request (Cog's PredictionRequest, and the
// webhook fields /v1 shares with it) and the input inside it. Every problem
// becomes a FastAPI-style detail entry, so one 422 reports them all.
import { InputValidationError } from '../../api/errors.ts';
import { coerceCogInput, validateInput } from '../../api/input.ts';
import type { WebhookRequest } from './prediction.ts';
import { WEBHOOK_EVENTS, type ValidationDetail, type WebhookEvent } from '../types.ts';

export interface PredictionRequestBody {
  id: string | null;
  input: Record<string, unknown>;
  createdAt: string | null;
  webhook?: WebhookRequest;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; detail: ValidationDetail[] };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Cog PredictionRequest. A missing body or input counts as `{}`. */
export function parsePredictionRequest(body: unknown): Parsed<PredictionRequestBody> {
  if (body === undefined || body === null) body = {};
  if (!isPlainObject(body)) {
    return {
      ok: false,
      detail: [{ loc: ['body'], msg: 'The request body must be a JSON object such as {"input": {"texts": ["hello"]}}.', type: 'type_error.dict' }],
    };
  }
  const detail: ValidationDetail[] = [];
  const id = optionalString(body, 'id', detail);
  const createdAt = optionalString(body, 'created_at', detail);
  checkContext(body.context, detail);
  const webhook = parseWebhookFields(body, detail);
  const input = checkInput(body.input, detail);
  if (detail.length || !input) return { ok: false, detail };
  return { ok: true, value: { id, input, createdAt, webhook } };
}

/** Validates `raw` (coerced as Cog coerces `cog predict -i` strings); appends issues to `detail`. */
export function checkInput(raw: unknown, detail: ValidationDetail[]): Record<string, unknown> | undefined {
  try {
    const coerced = isPlainObject(raw) ? coerceCogInput(raw) : raw;
    return validateInput(coerced) as unknown as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof InputValidationError)) throw err;
    for (const i of err.issues) detail.push({ loc: ['body', 'input', ...i.loc], msg: i.message, type: i.type });
    return undefined;
  }
}

/** `webhook` and `webhook_events_filter`; undefined when no webhook was asked for. */
export function parseWebhookFields(body: Record<string, unknown>, detail: ValidationDetail[]): WebhookRequest | undefined {
  const url = body.webhook;
  const filter = body.webhook_events_filter;
  const events = parseEventsFilter(filter, detail);
  if (url === undefined || url === null) return undefined;
  if (typeof url !== 'string' || !isHttpUrl(url) || url.length > 65536) {
    detail.push({
      loc: ['body', 'webhook'],
      msg: `webhook must be an http:// or https:// URL (got ${JSON.stringify(url)?.slice(0, 80)})`,
      type: 'value_error.url',
    });
    return undefined;
  }
  return events && { url, filter: new Set(events), filterList: filter == null ? undefined : events };
}

function parseEventsFilter(filter: unknown, detail: ValidationDetail[]): WebhookEvent[] | undefined {
  if (filter === undefined || filter === null) return [...WEBHOOK_EVENTS];
  const valid = `valid events are ${WEBHOOK_EVENTS.map((e) => `"${e}"`).join(', ')}`;
  if (!Array.isArray(filter)) {
    detail.push({ loc: ['body', 'webhook_events_filter'], msg: `webhook_events_filter must be an array of events; ${valid}`, type: 'type_error.list' });
    return undefined;
  }
  const bad = filter.findIndex((e) => !WEBHOOK_EVENTS.includes(e as WebhookEvent));
  if (bad >= 0) {
    detail.push({
      loc: ['body', 'webhook_events_filter', bad],
      msg: `${JSON.stringify(filter[bad])} is not a webhook event; ${valid}`,
      type: 'type_error.enum',
    });
    return undefined;
  }
  return [...new Set(filter as WebhookEvent[])];
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function optionalString(body: Record<string, unknown>, key: string, detail: ValidationDetail[]): string | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  detail.push({ loc: ['body', key], msg: `${key} must be a string (got ${typeof v})`, type: 'type_error.str' });
  return null;
}

function checkContext(ctx: unknown, detail: ValidationDetail[]): void {
  if (ctx === undefined || ctx === null) return;
  if (isPlainObject(ctx) && Object.values(ctx).every((v) => typeof v === 'string')) return;
  detail.push({ loc: ['body', 'context'], msg: 'context must be an object whose values are strings', type: 'type_error.dict' });
}
