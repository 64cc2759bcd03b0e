// What answers after the routers: a 404 for a request no route took, and the
// Express error handler that turns body-parser failures and server faults into
// the error body of the protocol that claims the request (never HTML, never a
// stack: a fault's stack goes to the server log).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bodyProblem } from './body-errors.ts';
import type { Logger } from '../log.ts';
import type { Protocol, RequestLine } from '../protocols.ts';

/** The protocol that renders the errors of a request. */
export type ClaimantOf = (req: RequestLine) => Pick<Protocol, 'sendError'>;

export function notFound(claimant: ClaimantOf): RequestHandler {
  return (req: Request, res: Response) => {
    claimant(req).sendError(res, { kind: 'not_found', message: `No route for ${req.method} ${req.path}. GET / lists this server's routes.` });
  };
}

export function errorHandler(claimant: ClaimantOf, log: Logger, maxBodyBytes: number) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const problem = bodyProblem(err, maxBodyBytes);
    if (problem === 'aborted') return void res.end();
    if (problem) return claimant(req).sendError(res, problem);
    log.error(`${req.method} ${req.path} failed: ${(err as Error)?.stack ?? String(err)}`);
    claimant(req).sendError(res, { kind: 'internal', message: 'The server hit an unexpected error; its log has the details.' });
  };
}
