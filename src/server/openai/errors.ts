// OpenAI's error body, `{"error": {message, type, param, code}}`. One table
// gives each kind of error its status, type and code.
import type { Response } from 'express';
import { statusIn, type ErrorTable, type ProtocolError } from '../protocols.ts';

interface OpenAIRow {
  status: number;
  type: 'invalid_request_error' | 'requests' | 'server_error';
  code: string | null;
}

const row = (status: number, code: string | null = null): OpenAIRow => ({ status, type: 'invalid_request_error', code });
const invalidValue = row(400, 'invalid_value');
const rateLimited: OpenAIRow = { status: 429, type: 'requests', code: 'rate_limit_exceeded' };
const serverError = (status: number): OpenAIRow => ({ status, type: 'server_error', code: null });

export const OPENAI_ERRORS: ErrorTable<OpenAIRow> = {
  invalid_input: invalidValue,
  output_too_large: invalidValue,
  too_long: row(400, 'context_length_exceeded'),
  too_many_tokens: invalidValue,
  bad_token_id: invalidValue,
  empty_input: invalidValue,
  tokenizer: invalidValue,
  unsupported: row(400),
  unauthenticated: row(401, 'invalid_api_key'),
  forbidden: row(403),
  not_found: row(404),
  method_not_allowed: row(405),
  body_too_large: row(413),
  malformed_json: row(400),
  body_too_deep: row(400),
  unsupported_encoding: row(415),
  bad_request: row(400),
  busy: rateLimited,
  not_ready: serverError(503),
  overloaded: rateLimited,
  unavailable: serverError(503),
  canceled: serverError(503),
  internal: serverError(500),
};

export interface OpenAIError extends ProtocolError {
  /** The request field at fault. */
  param?: string | null;
  /** Replaces the table's code where the route knows better ("invalid_type"). */
  code?: string | null;
}

export function sendOpenAIError(res: Response, error: OpenAIError): void {
  const { type, code } = OPENAI_ERRORS[error.kind];
  res
    .status(statusIn(OPENAI_ERRORS, error))
    .json({ error: { message: error.message, type, param: error.param ?? null, code: error.code !== undefined ? error.code : code } });
}
