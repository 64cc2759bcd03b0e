// What went wrong with a request before any route saw it (body-parser,
// raw-body, http-errors, the router, the JSON depth cap), described once.
// Each API's error handler renders the description in its own shape:
// cog/errors.ts for Cog and /v1, openai/routes.ts and tei/routes.ts for theirs.
import type { NextFunction, Request, Response } from 'express';
import { clientMessage } from './client-message.ts';
import { JsonTooDeepError } from './json-body.ts';
import type { Logger } from '../log.ts';

/** What body-parser, raw-body, http-errors and the router attach to the errors they raise. */
interface HttpishError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  code?: unknown;
}

export type ProblemKind = 'too-large' | 'malformed-json' | 'too-deep' | 'encoding' | 'client';
export type BodyProblem = { status: number; kind: ProblemKind; message: string } | 'aborted' | undefined;

/** What to answer for a request error; undefined when `err` is a server fault. */
export function bodyProblem(err: unknown, maxBodyBytes: number): BodyProblem {
  const e = err as HttpishError;
  if (e instanceof JsonTooDeepError) return { status: 400, kind: 'too-deep', message: e.message };
  switch (e?.type) {
    case 'entity.too.large':
      return { status: 413, kind: 'too-large', message: `The request body is larger than this server's limit of ${formatBytes(maxBodyBytes)} (set by BGE_M3_MAX_BODY_MB). Send fewer or shorter texts per request, or raise the limit.` };
    case 'entity.parse.failed':
      return { status: 400, kind: 'malformed-json', message: `The request body is not valid JSON (${e.message}).` };
    case 'encoding.unsupported':
      return { status: 415, kind: 'encoding', message: `${e.message}. Send the body uncompressed or with Content-Encoding gzip, deflate or br.` };
    case 'charset.unsupported':
      return { status: 415, kind: 'encoding', message: `${e.message}. Send the body as UTF-8 JSON.` };
    case 'request.aborted':
      return 'aborted';
  }
  const status = clientErrorStatus(e);
  return status === undefined ? undefined : { status, kind: 'client', message: clientErrorDetail(e, status) };
}

/**
 * The error handler of a protocol's own router (OpenAI, TEI): answers only the
 * requests `mine` claims, since a router's error handler also sees the errors
 * of routers mounted before it. A server fault is logged and sent as status 500.
 */
export function protocolErrorHandler(mine: (req: Request) => boolean, send: (res: Response, status: number, message: string) => void, log: Logger, maxBodyBytes: number) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent || !mine(req)) return next(err);
    const problem = bodyProblem(err, maxBodyBytes);
    if (problem === 'aborted') return void res.end();
    if (problem) return send(res, problem.status, problem.message);
    log.error(`${req.method} ${req.path} failed: ${(err as Error)?.stack ?? String(err)}`);
    send(res, 500, 'The server hit an unexpected error; its log has the details.');
  };
}

/** The 4xx an error carries (http-errors, body-parser, router), or undefined for a server fault. */
function clientErrorStatus(err: HttpishError | undefined): number | undefined {
  const status = err?.status ?? err?.statusCode;
  return Number.isInteger(status) && status! >= 400 && status! < 500 ? status : undefined;
}

/**
 * Says what was wrong without echoing internals. A body that fails to
 * decompress (zlib's errors carry a `code` such as Z_DATA_ERROR) gets its own
 * advice; otherwise an exposable message of http-errors is already meant for clients.
 */
function clientErrorDetail(err: HttpishError, status: number): string {
  if (/^(Z_|ERR_BROTLI|ERR_ZLIB)/.test(String(err.code ?? '')) || /incorrect header check|unexpected end of file|invalid (block|distance|stored|code)|Decompression failed/i.test(err.message)) {
    return 'The request body could not be decompressed: it does not match its Content-Encoding header (gzip, deflate or br). Send it uncompressed, or compress it completely.';
  }
  if (err instanceof URIError || /^Failed to decode param/.test(err.message)) {
    return 'The URL holds malformed percent-encoding (a "%" must be followed by two hex digits forming valid UTF-8).';
  }
  return err.expose === false ? `The request could not be processed (HTTP ${status}).` : `${clientMessage(err.message).replace(/\.$/, '')}.`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(2)} KiB`;
  return `${n} bytes`;
}
