// Error bodies: Cog's (FastAPI's `{"detail": ...}`) on Cog routes,
// Replicate's (`{"title", "detail", "status"}`) under /v1, and the Express
// error handler that turns body-parser failures into them (never HTML).
import type { NextFunction, Request, Response } from 'express';
import { inputNames } from '../schema.ts';
import { clientMessage } from './client-message.ts';
import { JsonTooDeepError } from './json-body.ts';
import type { Logger } from './log.ts';
import type { ValidationDetail } from './types.ts';

export function sendCogError(res: Response, status: number, detail: string | ValidationDetail[]): void {
  res.status(status).json({ detail });
}

export function sendV1Error(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ title, detail, status, ...extra });
}

/** A 422 from validation details, in the shape of the API the request came to. */
export function sendValidationError(req: Request, res: Response, detail: ValidationDetail[]): void {
  if (!isV1(req)) return sendCogError(res, 422, detail);
  const invalid_fields = detail.map((d) => ({ type: d.type, field: d.loc.slice(1).join('.'), description: d.msg }));
  const text = detail.map((d) => `- ${d.loc.slice(1).join('.')}: ${d.msg}`).join('\n');
  sendV1Error(res, 422, 'Input validation failed', text, { invalid_fields });
}

/** One shape-aware error reply for both APIs. */
export function sendError(req: Request, res: Response, status: number, title: string, detail: string): void {
  if (isV1(req)) sendV1Error(res, status, title, detail);
  else sendCogError(res, status, detail);
}

function isV1(req: Request): boolean {
  return req.originalUrl.startsWith('/v1/') || req.originalUrl === '/v1';
}

export function notFound(req: Request, res: Response): void {
  sendError(req, res, 404, 'Not found', `No route for ${req.method} ${req.path}. GET / lists this server's routes.`);
}

/** What body-parser, raw-body, http-errors and the router attach to the errors they raise. */
interface HttpishError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

export function errorHandler(log: Logger, maxBodyBytes: number) {
  return (err: HttpishError, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    if (err instanceof JsonTooDeepError) return tooDeep(req, res, err);
    switch (err.type) {
      case 'entity.too.large':
        return sendError(req, res, 413, 'Request body too large',
          `The request body is larger than this server's limit of ${formatBytes(maxBodyBytes)} (set by BGE_M3_MAX_BODY_MB). Send fewer or shorter texts per prediction, or raise the limit.`);
      case 'entity.parse.failed':
        return malformedJson(req, res, err.message);
      case 'encoding.unsupported':
        return sendError(req, res, 415, 'Unsupported encoding', `${err.message}. Send the body uncompressed or with Content-Encoding gzip, deflate or br.`);
      case 'charset.unsupported':
        return sendError(req, res, 415, 'Unsupported encoding', `${err.message}. Send the body as UTF-8 JSON.`);
      case 'request.aborted':
        return void res.end();
    }
    const status = clientErrorStatus(err);
    if (status !== undefined) return sendError(req, res, status, clientErrorTitle(status), clientErrorDetail(err, status));
    log.error(`${req.method} ${req.path} failed: ${err.stack ?? err.message}`);
    sendError(req, res, 500, 'Internal server error', 'The server hit an unexpected error; its log has the details.');
  };
}

/** The 4xx an error carries (http-errors, body-parser, router), or undefined for a server fault. */
function clientErrorStatus(err: HttpishError): number | undefined {
  const status = err.status ?? err.statusCode;
  return Number.isInteger(status) && status! >= 400 && status! < 500 ? status : undefined;
}

function clientErrorTitle(status: number): string {
  return status === 400 ? 'Bad request' : status === 415 ? 'Unsupported media type' : `Client error ${status}`;
}

/**
 * Says what was wrong without echoing internals. A body that fails to
 * decompress (zlib's errors carry a `code` such as Z_DATA_ERROR) gets its own
 * advice; otherwise an exposable message of http-errors is already meant for clients.
 */
function clientErrorDetail(err: HttpishError, status: number): string {
  if (/^(Z_|ERR_BROTLI|ERR_ZLIB)/.test(String((err as { code?: unknown }).code ?? '')) || /incorrect header check|unexpected end of file|invalid (block|distance|stored|code)|Decompression failed/i.test(err.message)) {
    return 'The request body could not be decompressed: it does not match its Content-Encoding header (gzip, deflate or br). Send it uncompressed, or compress it completely.';
  }
  if (err instanceof URIError || /^Failed to decode param/.test(err.message)) {
    return 'The URL holds malformed percent-encoding (a "%" must be followed by two hex digits forming valid UTF-8).';
  }
  return err.expose === false ? `The request could not be processed (HTTP ${status}).` : `${clientMessage(err.message).replace(/\.$/, '')}.`;
}

/** Cog: a 422 detail list at the offending field; /v1: a 400. An unknown input key is still named as one. */
function tooDeep(req: Request, res: Response, err: JsonTooDeepError): void {
  const detail: ValidationDetail[] = [{ loc: ['body', ...err.path.slice(0, 2)], msg: err.message, type: 'value_error.json_depth' }];
  const [top, key] = err.path;
  if (top === 'input' && typeof key === 'string' && !inputNames.includes(key)) {
    detail.push({ loc: ['body', 'input', key], msg: `unknown input "${key}"; valid inputs are: ${inputNames.join(', ')}`, type: 'value_error.extra' });
  }
  if (!isV1(req)) return sendCogError(res, 422, detail);
  sendV1Error(res, 400, 'Request body nested too deeply', detail.map((d) => d.msg).join(' Also: '));
}

function malformedJson(req: Request, res: Response, parserMessage: string): void {
  const msg = `The request body is not valid JSON (${parserMessage}). Send a JSON object such as {"input": {"texts": ["hello"]}}.`;
  if (isV1(req)) return sendV1Error(res, 400, 'Malformed JSON', msg);
  sendCogError(res, 422, [{ loc: ['body'], msg, type: 'json_invalid' }]);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(2)} KiB`;
  return `${n} bytes`;
}
