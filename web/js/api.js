// The server's HTTP API as the playground uses it: the OpenAPI schema, the
// health check, Replicate-style /v1 predictions (create, get, cancel), and
// Cohere's /v2/rerank.
// URLs are resolved against the page, so the playground also works when the
// server sits behind a path prefix (the page lives at <prefix>/playground/).
// When the server wants an API key (401), the person is asked for one and the
// request is sent again with it: a 401 means the server did nothing with it.
import { authHeaders, replaceRejectedKey } from './api-key.js';

/**
 * @typedef {{ loc: (string | number)[], msg: string, type?: string }} FieldIssue
 * @typedef {'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled'} Status
 * @typedef {{ id: string, status: Status, input?: Record<string, unknown>, output: any,
 *   error: string | null, logs?: string, urls: { get: string, cancel: string },
 *   metrics?: Record<string, number> }} V1Prediction
 */

/** Resolves a server path (no leading slash) against the server root. @param {string} path */
export function apiUrl(path) {
  return new URL(`../${path}`, location.href).href;
}

/** An HTTP answer the playground cannot use; `issues` holds a 422's field problems. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {FieldIssue[]} [issues]
   */
  constructor(message, status, issues = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.issues = issues;
  }
}

/** @param {string} url @param {RequestInit} [init] */
async function requestJson(url, init = {}) {
  let res = await send(url, init);
  while (res.status === 401) {
    const key = await replaceRejectedKey();
    if (key === null) throw new ApiError('The server needs an API key to run predictions, and none was given. Submit again to enter one.', 401);
    res = await send(url, init);
  }
  const text = await res.text();
  const body = parseJson(text);
  if (!res.ok) throw errorFromResponse(res, body, text);
  if (body === undefined) throw new ApiError(`${url} answered with something that is not JSON.`, res.status);
  return body;
}

/** @param {string} url @param {RequestInit} init */
async function send(url, init) {
  try {
    return await fetch(url, { ...init, headers: { .../** @type {Record<string, string>} */ (init.headers ?? {}), ...authHeaders() } });
  } catch (err) {
    throw new ApiError(`Could not reach the server at ${url} (${errorText(err)}). Is it still running?`, 0);
  }
}

/** @param {string} text */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** @param {unknown} err */
function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns an error response into an ApiError. Reads Cog's 422 shape
 * (`detail: [{loc, msg}]`) and Replicate's (`invalid_fields: [{field, description}]`).
 * @param {Response} res @param {any} body @param {string} text
 */
function errorFromResponse(res, body, text) {
  const issues = validationIssues(body);
  if (issues.length) return new ApiError('The server rejected the input; see the messages next to the fields.', res.status, issues);
  const said = typeof body?.detail === 'string' ? body.detail : body?.error || body?.title || body?.message || text.slice(0, 300);
  return new ApiError(`The server answered ${res.status} ${res.statusText}: ${said || 'no details'}`, res.status);
}

/** @param {any} body @returns {FieldIssue[]} */
export function validationIssues(body) {
  if (Array.isArray(body?.detail)) {
    return body.detail
      .filter((/** @type {any} */ d) => d && typeof d.msg === 'string')
      .map((/** @type {any} */ d) => ({ loc: Array.isArray(d.loc) ? d.loc : [], msg: d.msg, type: d.type }));
  }
  if (Array.isArray(body?.invalid_fields)) {
    return body.invalid_fields.map((/** @type {any} */ f) => ({
      loc: ['body', 'input', ...fieldPath(String(f.field ?? ''))],
      msg: String(f.description ?? f.type ?? 'invalid'),
      type: f.type,
    }));
  }
  return [];
}

/** "input.texts.2" → ["texts", 2]. @param {string} field @returns {(string | number)[]} */
function fieldPath(field) {
  return field
    .replace(/^input\.?/, '')
    .split('.')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** @returns {Promise<any>} */
export function getOpenApi() {
  return requestJson(apiUrl('openapi.json'));
}

/** @returns {Promise<any>} */
export function getHealth() {
  return requestJson(apiUrl('health-check'));
}

/**
 * Creates a /v1 prediction, letting the server hold the request up to
 * `waitSeconds` so that quick predictions come back finished.
 * @param {Record<string, unknown>} input
 * @param {number} waitSeconds whole seconds, 1 to 60
 * @returns {Promise<V1Prediction>}
 */
export function createPrediction(input, waitSeconds) {
  return requestJson(apiUrl('v1/predictions'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Prefer: `wait=${waitSeconds}` },
    body: JSON.stringify({ input }),
  });
}

/**
 * @typedef {{ index: number, relevance_score: number, scores: { dense: number, sparse: number, colbert: number } }} RerankResult
 * @typedef {{ results: RerankResult[], meta: { score_weights: number[], warnings?: string[] } }} RerankReply
 */

/**
 * Ranks `documents` against `query` by BGE-M3's hybrid score (Cohere's /v2/rerank).
 * @param {string} query @param {string[]} documents @param {number[]} weights score_weights
 * @returns {Promise<RerankReply>}
 */
export function rerankDocuments(query, documents, weights) {
  return requestJson(apiUrl('v2/rerank'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'BAAI/bge-m3', query, documents, score_weights: weights }),
  });
}

/** @param {string} url a prediction's `urls.get` @returns {Promise<V1Prediction>} */
export function getPrediction(url) {
  return requestJson(sameOrigin(url));
}

/** @param {string} url a prediction's `urls.cancel` @returns {Promise<V1Prediction>} */
export function cancelPrediction(url) {
  return requestJson(sameOrigin(url), { method: 'POST' });
}

/**
 * The server builds `urls` from the Host it was asked on; behind a proxy that
 * may differ from the page's origin, so only the path is kept.
 * @param {string} url
 */
function sameOrigin(url) {
  const u = new URL(url, location.href);
  return new URL(u.pathname + u.search, location.origin).href;
}
