// Cohere's error body, {"message": "..."}. One table gives each kind of error
// its status: 400 for a request that is not valid (with Cohere's "invalid
// request: ..." wording), 429 when busy, 503 when unavailable, 500 for a fault.
import type { Response } from 'express';
import type { ClientError } from '../../api/errors.ts';
import { RerankInputError } from '../../api/rerank-request.ts';
import type { EmbedFailure } from '../predictions/embed-call.ts';
import { statusIn, type ErrorTable, type ProtocolError } from '../protocols.ts';

const badRequest = { status: 400 };

export const COHERE_ERRORS: ErrorTable<{ status: number }> = {
  invalid_input: badRequest,
  output_too_large: badRequest,
  too_long: badRequest,
  too_many_tokens: badRequest,
  bad_token_id: badRequest,
  empty_input: badRequest,
  tokenizer: badRequest,
  unsupported: badRequest,
  unauthenticated: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  body_too_large: { status: 413 },
  malformed_json: badRequest,
  body_too_deep: badRequest,
  unsupported_encoding: { status: 415 },
  bad_request: badRequest,
  busy: { status: 429 },
  not_ready: { status: 503 },
  overloaded: { status: 429 },
  unavailable: { status: 503 },
  canceled: { status: 503 },
  internal: { status: 500 },
};

export function sendCohereError(res: Response, error: ProtocolError): void {
  res.status(statusIn(COHERE_ERRORS, error)).json({ message: error.message });
}

/** A request Cohere would refuse with 400; `param` names the field, as the request spelled it. */
export class CohereBadRequest extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** `invalid request: <param> <what is wrong>.` */
export function invalidRequest(param: string, problem: string): CohereBadRequest {
  return new CohereBadRequest(param, `invalid request: ${param} ${problem.replace(/\.$/, '')}.`);
}

/** Cohere's words for a refused input: a RerankInputError names its field as Cohere's request does. */
export function inputMessage(e: ClientError): string {
  if (!(e instanceof RerankInputError)) return `invalid request: ${e.message.replace(/\.$/, '')}.`;
  const name = e.field === 'weights' ? 'score_weights' : e.field;
  const param = name === 'documents' && e.index !== null ? `documents[${e.index}]` : name;
  return `${e.problem === 'too_long' ? 'too many tokens' : 'invalid request'}: ${param} ${e.message.replace(/\.$/, '')}.`;
}

/** The reply for a rerank call that produced no ranking. */
export function sendCohereFailure(res: Response, f: EmbedFailure): void {
  if (f.kind === 'client') return sendCohereError(res, { kind: f.error.kind, message: inputMessage(f.error) });
  sendCohereError(res, { kind: f.kind, message: f.message });
}
