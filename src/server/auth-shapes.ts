// The 401 body of each API this branch serves, as ErrorShape functions for
// ServerAuth.guard(). Other APIs bring their own.
import type { ErrorShape } from './auth-middleware.ts';
import { sendCogError, sendV1Error } from './errors.ts';

/** Cog (FastAPI): `{"detail": "..."}`. */
export const cogErrorShape: ErrorShape = (res, status, message) => sendCogError(res, status, message);

/** Replicate: `{"title", "detail", "status"}`; Replicate titles its 401 "Unauthenticated". */
export const v1ErrorShape: ErrorShape = (res, status, message) =>
  sendV1Error(res, status, status === 401 ? 'Unauthenticated' : 'Forbidden', message);
