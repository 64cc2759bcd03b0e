// Replicate's API v1 as one protocol record: everything under /v1 that the
// OpenAI door (/v1/embeddings) does not claim first.
import { requestPath, type Protocol } from '../protocols.ts';
import { sendV1Error, V1_ERRORS } from './errors.ts';
import { v1Routes } from './routes.ts';

export const replicateProtocol: Protocol = {
  name: 'replicate',
  claims: (req) => {
    const path = requestPath(req);
    return path === '/v1' || path.startsWith('/v1/');
  },
  keyRoutes: [{ paths: ['/v1'] }],
  mountPath: '/v1',
  routes: v1Routes,
  errors: V1_ERRORS,
  sendError: sendV1Error,
};
