// Cohere's error body, {"message": "..."}, and how each failure of a rerank
// call maps onto Cohere's statuses: 400 for a request that is not valid (with
// Cohere's "invalid request: ..." wording), 429, 503, 500 for the rest.
import type { Response } from 'express';
import type { EmbedFailure } from '../predictions/embed-call.ts';

export function sendCohereError(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

/** A request Cohere would refuse with 400; `param` names the field, as the request spelled it. */
export class CohereBadRequest extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

/** `invalid request: <param> <what is wrong>.` */
export function invalidRequest(param: string, problem: string): CohereBadRequest {
  return new CohereBadRequest(param, `invalid request: ${param} ${problem.replace(/\.$/, '')}.`);
}

/** Cohere's words for a RerankInputError (src/api/rerank-request.ts): its field as Cohere's request names it. */
export function inputMessage(field: string | undefined, index: number | null, problem: string, message: string): string {
  const name = field === 'weights' ? 'score_weights' : (field ?? 'documents');
  const param = name === 'documents' && index !== null ? `documents[${index}]` : name;
  return `${problem === 'too_long' ? 'too many tokens' : 'invalid request'}: ${param} ${message.replace(/\.$/, '')}.`;
}

/** The reply for a rerank call that produced no ranking. */
export function sendCohereFailure(res: Response, f: EmbedFailure): void {
  switch (f.kind) {
    case 'input':
      return sendCohereError(res, 400, inputMessage(f.field, f.index, f.problem, f.message));
    case 'overloaded':
      return sendCohereError(res, 429, f.message);
    case 'unavailable':
    case 'canceled':
      return sendCohereError(res, 503, f.message);
    case 'failed':
      return sendCohereError(res, 500, f.message);
  }
}
