// Error bodies: Cog's (FastAPI's `{"detail": ...}`) on Cog routes,
// Replicate's (`{"title", "detail", "status"}`) under /v1, and the Express
// error handler that turns body-parser failures into them (never HTML).
import type { NextFunction, Request, Response } from 'express';
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

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
  body?: string;
}

export function errorHandler(log: Logger, maxBodyBytes: number) {
  return (err: BodyParserError, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    switch (err.type) {
      case 'entity.too.large':
        return sendError(req, res, 413, 'Request body too large',
          `The request body is larger than this server's limit of ${formatBytes(maxBodyBytes)} (set by BGE_M3_MAX_BODY_MB). Send fewer or shorter texts per prediction, or raise the limit.`);
      case 'entity.parse.failed':
        return malformedJson(req, res, err.message);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(req, res, 415, 'Unsupported encoding', `${err.message}. Send the body as UTF-8 JSON.`);
      case 'request.aborted':
        return void res.end();
    }
    log.error(`${req.method} ${req.path} failed: ${err.stack ?? err.message}`);
    sendError(req, res, 500, 'Internal server error', 'The server hit an unexpected error; its log has the details.');
  };
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
