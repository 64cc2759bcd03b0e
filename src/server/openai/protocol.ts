// OpenAI's embeddings API as one protocol record: POST /v1/embeddings and
// /embeddings, ahead of Replicate's /v1 in app.ts's list.
import { requestPath, type Protocol } from '../protocols.ts';
import { OPENAI_ERRORS, sendOpenAIError } from './errors.ts';
import { OPENAI_PATHS, openaiRoutes } from './routes.ts';

export const openaiProtocol: Protocol = {
  name: 'openai',
  claims: (req) => OPENAI_PATHS.includes(requestPath(req)),
  keyRoutes: [{ paths: OPENAI_PATHS }],
  mountPath: '/',
  routes: openaiRoutes,
  errors: OPENAI_ERRORS,
  sendError: sendOpenAIError,
};
