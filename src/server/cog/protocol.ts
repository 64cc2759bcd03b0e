// Cog's prediction HTTP contract as one protocol record. It claims every
// request no other protocol does (/, /health-check, /metrics, the playground,
// unknown paths), so it is last in app.ts's list.
import { keyRefusal, type Protocol } from '../protocols.ts';
import { COG_ERRORS, sendCogError } from './errors.ts';
import { cogRoutes } from './routes.ts';

export const cogProtocol: Protocol = {
  name: 'cog',
  claims: () => true,
  keyRoutes: [{ paths: ['/predictions', '/shutdown', '/calibration'] }],
  mountPath: '/',
  routes: cogRoutes,
  errors: COG_ERRORS,
  sendError: sendCogError,
};

/** Cog's 401, for guards in front of routes that answer in Cog's shape (/metrics). */
export const cogErrorShape = keyRefusal(cogProtocol);
