// Cohere's (and Jina's) rerank API as one protocol record: POST /v1/rerank and
// /v2/rerank, ahead of Replicate's /v1 in app.ts's list.
import { requestPath, type Protocol } from '../protocols.ts';
import { COHERE_ERRORS, sendCohereError } from './errors.ts';
import { COHERE_PATHS, cohereRoutes } from './routes.ts';

export const cohereProtocol: Protocol = {
  name: 'cohere',
  claims: (req) => COHERE_PATHS.includes(requestPath(req)),
  keyRoutes: [{ paths: COHERE_PATHS }],
  mountPath: '/',
  routes: cohereRoutes,
  errors: COHERE_ERRORS,
  sendError: sendCohereError,
};
