// Cog's error body, FastAPI's `{"detail": ...}`: a string, or for a 422 the
// list of faults with their `loc`. One table gives each kind of error its status.
import type { Response } from 'express';
import { malformedBodyMessage, tooDeepIssues } from '../predictions/body-issues.ts';
import { statusIn, type ErrorTable, type ProtocolError } from '../protocols.ts';
import type { ValidationDetail } from '../types.ts';

const invalid = { status: 422 };

export const COG_ERRORS: ErrorTable<{ status: number }> = {
  invalid_input: invalid,
  output_too_large: invalid,
  too_long: invalid,
  too_many_tokens: invalid,
  bad_token_id: invalid,
  empty_input: invalid,
  tokenizer: invalid,
  unsupported: invalid,
  unauthenticated: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  body_too_large: { status: 413 },
  // FastAPI answers a body it cannot read as JSON, or too deep to, with a 422 detail list.
  malformed_json: invalid,
  body_too_deep: invalid,
  unsupported_encoding: { status: 415 },
  bad_request: { status: 400 },
  busy: { status: 409 },
  not_ready: { status: 409 },
  overloaded: { status: 429 },
  unavailable: { status: 503 },
  canceled: { status: 503 },
  internal: { status: 500 },
};

export function sendCogError(res: Response, error: ProtocolError): void {
  const issues = issuesOf(error);
  res.status(statusIn(COG_ERRORS, error)).json({ detail: issues.length ? issues : error.message });
}

/** A 422 listing every fault of the request. */
export function sendCogValidationError(res: Response, issues: ValidationDetail[]): void {
  sendCogError(res, { kind: 'invalid_input', message: issues.map((d) => d.msg).join('; '), issues });
}

function issuesOf(error: ProtocolError): ValidationDetail[] {
  if (error.kind === 'malformed_json') return [{ loc: ['body'], msg: malformedBodyMessage(error.message), type: 'json_invalid' }];
  if (error.kind === 'body_too_deep') return tooDeepIssues(error.issues ?? []);
  return error.issues ?? [];
}
