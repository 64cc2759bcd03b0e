// Error bodies: Cog's (FastAPI's `{"detail": ...}`) on Cog routes,
// Replicate's (`{"title", "detail", "status"}`) under /v1, and the Express
// error handler that turns body-parser failures into them (never HTML).
import type { NextFunction, Request, Response } from 'express';
import { inputNames } from '../../api/schema.ts';
import { bodyProblem } from '../http/body-errors.ts';
import type { JsonTooDeepError } from '../http/json-body.ts';
import type { Logger } from '../log.ts';
import type { ValidationDetail } from '../types.ts';

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

const TITLES: Record<string, string> = { 'too-large': 'Request body too large', encoding: 'Unsupported encoding' };

export function errorHandler(log: Logger, maxBodyBytes: number) {
  return (err: Error, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const problem = bodyProblem(err, maxBodyBytes);
    if (problem === 'aborted') return void res.end();
    if (problem?.kind === 'too-deep') return tooDeep(req, res, err as JsonTooDeepError);
    if (problem?.kind === 'malformed-json') return malformedJson(req, res, problem.message);
    if (problem) return sendError(req, res, problem.status, TITLES[problem.kind] ?? clientErrorTitle(problem.status), problem.message);
    log.error(`${req.method} ${req.path} failed: ${err.stack ?? err.message}`);
    sendError(req, res, 500, 'Internal server error', 'The server hit an unexpected error; its log has the details.');
  };
}

function clientErrorTitle(status: number): string {
  return status === 400 ? 'Bad request' : status === 415 ? 'Unsupported media type' : `Client error ${status}`;
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

function malformedJson(req: Request, res: Response, problem: string): void {
  const msg = `${problem} Send a JSON object such as {"input": {"texts": ["hello"]}}.`;
  if (isV1(req)) return sendV1Error(res, 400, 'Malformed JSON', msg);
  sendCogError(res, 422, [{ loc: ['body'], msg, type: 'json_invalid' }]);
}
