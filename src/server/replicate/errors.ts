// Replicate's API v1 error body, `{"title", "detail", "status"}` (a 422 adds
// `invalid_fields`). One table gives each kind of error its status and title.
import type { Response } from 'express';
import { malformedBodyMessage, tooDeepIssues } from '../predictions/body-issues.ts';
import { statusIn, type ErrorTable, type ProtocolError } from '../protocols.ts';
import type { ValidationDetail } from '../types.ts';

interface V1Row {
  status: number;
  title: string;
}

const invalid: V1Row = { status: 422, title: 'Input validation failed' };

export const V1_ERRORS: ErrorTable<V1Row> = {
  invalid_input: invalid,
  output_too_large: invalid,
  too_long: invalid,
  too_many_tokens: invalid,
  bad_token_id: invalid,
  empty_input: invalid,
  tokenizer: invalid,
  unsupported: invalid,
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Cross-origin request refused' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  body_too_large: { status: 413, title: 'Request body too large' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  body_too_deep: { status: 400, title: 'Request body nested too deeply' },
  unsupported_encoding: { status: 415, title: 'Unsupported encoding' },
  bad_request: { status: 400, title: 'Bad request' },
  busy: { status: 409, title: 'Busy' },
  not_ready: { status: 409, title: 'Not ready' },
  overloaded: { status: 429, title: 'Too many predictions' },
  unavailable: { status: 503, title: 'Shutting down' },
  canceled: { status: 503, title: 'Canceled' },
  internal: { status: 500, title: 'Internal server error' },
};

/** `title` replaces the table's where a route says more ("Invalid cursor"). */
export function sendV1Error(res: Response, error: ProtocolError & { title?: string }): void {
  const status = statusIn(V1_ERRORS, error);
  const title = error.title ?? (error.kind === 'bad_request' ? clientErrorTitle(status) : V1_ERRORS[error.kind].title);
  res.status(status).json({ title, detail: detailOf(error), status, ...extraOf(error, status) });
}

/** A 422 listing every fault of the request. */
export function sendV1ValidationError(res: Response, issues: ValidationDetail[]): void {
  sendV1Error(res, { kind: 'invalid_input', message: issues.map((d) => d.msg).join('; '), issues });
}

function detailOf(error: ProtocolError): string {
  if (error.kind === 'malformed_json') return malformedBodyMessage(error.message);
  if (error.kind === 'body_too_deep')
    return tooDeepIssues(error.issues ?? [])
      .map((d) => d.msg)
      .join(' Also: ');
  if (error.issues?.length) return error.issues.map((d) => `- ${d.loc.slice(1).join('.')}: ${d.msg}`).join('\n');
  return error.message;
}

/** A 422's faults, one per field. */
function extraOf(error: ProtocolError, status: number): Record<string, unknown> {
  if (status !== 422 || !error.issues?.length) return {};
  return { invalid_fields: error.issues.map((d) => ({ type: d.type, field: d.loc.slice(1).join('.'), description: d.msg })) };
}

function clientErrorTitle(status: number): string {
  return status === 400 ? 'Bad request' : status === 415 ? 'Unsupported media type' : `Client error ${status}`;
}
