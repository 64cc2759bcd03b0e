// TEI's error body, `{"error", "error_type"}`. One table gives each kind of
// error its status and TEI ErrorType (router/src/http/server.rs maps
// Unhealthy 503, Backend 424, Overloaded 429, Validation 422, Tokenizer 422, Empty 400).
import type { Response } from 'express';
import type { ClientError } from '../../api/errors.ts';
import type { EmbedFailure } from '../predictions/embed-call.ts';
import { statusIn, type ErrorTable, type ProtocolError } from '../protocols.ts';

export type TeiErrorType = 'Unhealthy' | 'Backend' | 'Overloaded' | 'Validation' | 'Tokenizer' | 'Empty';

interface TeiRow {
  status: number;
  type: TeiErrorType;
}

const validation = (status = 422): TeiRow => ({ status, type: 'Validation' });
const unhealthy: TeiRow = { status: 503, type: 'Unhealthy' };

export const TEI_ERRORS: ErrorTable<TeiRow> = {
  invalid_input: validation(),
  output_too_large: validation(),
  too_long: validation(),
  too_many_tokens: validation(),
  bad_token_id: validation(),
  empty_input: { status: 400, type: 'Empty' },
  tokenizer: { status: 422, type: 'Tokenizer' },
  unsupported: { status: 424, type: 'Backend' },
  unauthenticated: validation(401),
  forbidden: validation(403),
  not_found: validation(404),
  method_not_allowed: validation(405),
  body_too_large: validation(413),
  // TEI (axum) answers an unreadable body in plain text; this server keeps to the JSON body, with 422.
  malformed_json: validation(),
  body_too_deep: validation(),
  unsupported_encoding: validation(415),
  bad_request: validation(),
  busy: { status: 429, type: 'Overloaded' },
  not_ready: unhealthy,
  overloaded: { status: 429, type: 'Overloaded' },
  unavailable: unhealthy,
  canceled: unhealthy,
  // A server fault is TEI's Backend error.
  internal: { status: 424, type: 'Backend' },
};

export function sendTeiError(res: Response, error: ProtocolError): void {
  const { type } = TEI_ERRORS[error.kind];
  res.status(teiStatus(error)).json({ error: error.message, error_type: type });
}

/** A 400 a body error carried is TEI's 422: its 400 means an empty input. */
function teiStatus(error: ProtocolError): number {
  const status = statusIn(TEI_ERRORS, error);
  return error.kind === 'bad_request' && status === 400 ? 422 : status;
}

/** A call that produced no answer, in TEI's words; `clientMessage` says what was wrong with the client's input. */
export function sendTeiFailure(res: Response, f: EmbedFailure, clientMessage: (e: ClientError) => string): void {
  if (f.kind === 'client') return sendTeiError(res, { kind: f.error.kind, message: clientMessage(f.error) });
  const prefix = f.kind === 'overloaded' ? 'Model is overloaded: ' : f.kind === 'internal' ? 'Backend error: ' : '';
  sendTeiError(res, { kind: f.kind, message: `${prefix}${f.message}` });
}
