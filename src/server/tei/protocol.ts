// Hugging Face text-embeddings-inference's API as one protocol record: its
// routes, and POST / (TEI's /embed for clients given only the base URL).
import { requestPath, type Protocol } from '../protocols.ts';
import { sendTeiError, TEI_ERRORS } from './errors.ts';
import { TEI_PATHS, teiRoutes } from './routes.ts';

export const teiProtocol: Protocol = {
  name: 'tei',
  claims: (req) => {
    const path = requestPath(req);
    return TEI_PATHS.includes(path) || (req.method === 'POST' && path === '/');
  },
  // /info stays open, like /openapi.json.
  keyRoutes: [{ paths: TEI_PATHS.filter((p) => p !== '/info') }, { paths: ['/'], post: true }],
  mountPath: '/',
  routes: teiRoutes,
  errors: TEI_ERRORS,
  sendError: sendTeiError,
};
