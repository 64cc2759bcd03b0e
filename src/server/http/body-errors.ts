// What went wrong with a request before any route saw it (body-parser,
// raw-body, http-errors, the router, the JSON depth cap), described once as a
// ProtocolError. The protocol that claims the request renders it in its shape
// (error-handlers.ts).
import { clientMessage } from './client-message.ts';
import { JsonTooDeepError } from './json-body.ts';
import type { ProtocolError } from '../protocols.ts';

/** What body-parser, raw-body, http-errors and the router attach to the errors they raise. */
interface HttpishError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  code?: unknown;
}

export type BodyProblem = ProtocolError | 'aborted' | undefined;

/** What to answer for a request error; undefined when `err` is a server fault. */
export function bodyProblem(err: unknown, maxBodyBytes: number): BodyProblem {
  const e = err as HttpishError;
  if (e instanceof JsonTooDeepError) {
    return { kind: 'body_too_deep', message: e.message, issues: [{ loc: ['body', ...e.path.slice(0, 2)], msg: e.message, type: 'value_error.json_depth' }] };
  }
  switch (e?.type) {
    case 'entity.too.large':
      return {
        kind: 'body_too_large',
        message: `The request body is larger than this server's limit of ${formatBytes(maxBodyBytes)} (set by BGE_M3_MAX_BODY_MB). Send fewer or shorter texts per request, or raise the limit.`,
      };
    case 'entity.parse.failed':
      return { kind: 'malformed_json', message: `The request body is not valid JSON (${e.message}).` };
    case 'encoding.unsupported':
      return { kind: 'unsupported_encoding', message: `${e.message}. Send the body uncompressed or with Content-Encoding gzip, deflate or br.` };
    case 'charset.unsupported':
      return { kind: 'unsupported_encoding', message: `${e.message}. Send the body as UTF-8 JSON.` };
    case 'request.aborted':
      return 'aborted';
  }
  const status = clientErrorStatus(e);
  return status === undefined ? undefined : { kind: 'bad_request', status, message: clientErrorDetail(e, status) };
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
  if (
    /^(Z_|ERR_BROTLI|ERR_ZLIB)/.test(String(err.code ?? '')) ||
    /incorrect header check|unexpected end of file|invalid (block|distance|stored|code)|Decompression failed/i.test(err.message)
  ) {
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
