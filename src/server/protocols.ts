// The error body of each API, as ErrorShape functions for what answers before
// the routers: ServerAuth.guard() (401) and the origin policy (403).
import type { Request } from 'express';
import type { ErrorShape } from './auth/guard.ts';
import { sendCogError, sendV1Error } from './cog/errors.ts';
import { isCohereRequest } from './cohere/routes.ts';
import { sendCohereError } from './cohere/errors.ts';
import { cogOrV1Refusal, type RefusalWriter } from './http/origin-policy.ts';
import { OPENAI_PATHS, sendOpenAIError } from './openai/routes.ts';
import { isTeiRequest, sendTeiError } from './tei/routes.ts';

/** Cog (FastAPI): `{"detail": "..."}`. */
export const cogErrorShape: ErrorShape = (res, status, message) => sendCogError(res, status, message);

/** Replicate: `{"title", "detail", "status"}`; Replicate titles its 401 "Unauthenticated". */
export const v1ErrorShape: ErrorShape = (res, status, message) =>
  sendV1Error(res, status, status === 401 ? 'Unauthenticated' : 'Forbidden', message);

/** OpenAI: `{"error": {message, type, param, code}}`. */
export const openaiErrorShape: ErrorShape = (res, status, message) => sendOpenAIError(res, status, message);

/** Cohere (and Jina): `{"message": "..."}`. */
export const cohereErrorShape: ErrorShape = sendCohereError;

/** TEI: `{"error", "error_type"}`. */
export const teiErrorShape: ErrorShape = sendTeiError;

/** A refusal in the shape of the API the request was sent to. */
export const refusalByApi: RefusalWriter = (req: Request, res, status, message) => {
  if (OPENAI_PATHS.includes(req.path)) return openaiErrorShape(res, status, message);
  if (isTeiRequest(req)) return teiErrorShape(res, status, message);
  if (isCohereRequest(req)) return cohereErrorShape(res, status, message);
  cogOrV1Refusal(req, res, status, message);
};
