// The bearer-key check in front of every route that does work. Mounted before
// any body parser, so a request without a valid key is answered 401 with
// nothing of it read, parsed or run. The error body is the protocol's own,
// through a shape function each API provides.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { FailureBackoff } from './backoff.ts';
import type { KeySet } from './keys.ts';
import type { Logger } from '../log.ts';

/** Writes an error of `status` with `message` in one API's error shape. */
export type ErrorShape = (res: Response, status: number, message: string) => void;

export interface KeyCheckOptions {
  /** The keys accepted now (read per request, so a reload applies at once). */
  keys: () => KeySet;
  shape: ErrorShape;
  backoff: FailureBackoff;
  log: Logger;
  /** How a 401 waits out its backoff; injectable for tests. */
  wait?: (ms: number) => Promise<unknown>;
}

const OWNER = Symbol('api key owner');
const CHECKED_BY = Symbol('keys that passed the request');
type Marks = { [OWNER]?: string; [CHECKED_BY]?: () => KeySet };

/** The owner id (the key's sha256) of an authenticated request; undefined when keys are off. */
export function requestOwner(res: Response): string | undefined {
  return (res.locals as Marks)[OWNER];
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return m?.[1];
}

export function requireApiKey(o: KeyCheckOptions): RequestHandler {
  const wait = o.wait ?? ((ms: number) => sleep(ms));
  return async (req: Request, res: Response, next: NextFunction) => {
    // CORS preflights carry no credentials by design, and no route here does work on OPTIONS.
    if (req.method === 'OPTIONS') return next();
    // Already passed by a guard on the same keys mounted on a narrower path (say /v1/embeddings, in OpenAI's shape, before /v1's).
    const marks = res.locals as Marks;
    if (marks[CHECKED_BY] === o.keys) return next();
    const token = bearerToken(req.get('authorization'));
    const owner = token === undefined ? undefined : o.keys().match(token);
    if (owner !== undefined) {
      marks[OWNER] = owner;
      marks[CHECKED_BY] = o.keys;
      return next();
    }
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown'; // the client behind TRUST_PROXY's proxies
    const delay = o.backoff.fail(address);
    o.log.debug(
      `401 for ${req.method} ${req.originalUrl.split('?')[0].slice(0, 200)} from ${address}: ${token === undefined ? 'no bearer token' : 'unknown key'}${delay ? `, answered after ${delay} ms` : ''}`,
    );
    if (delay > 0) await wait(delay);
    if (res.destroyed) return;
    res.set('www-authenticate', token === undefined ? 'Bearer' : 'Bearer error="invalid_token"');
    const message =
      token === undefined
        ? 'This server requires an API key: send it as "Authorization: Bearer <key>".'
        : 'The API key sent in "Authorization: Bearer" is not valid.';
    o.shape(res, 401, message);
  };
}
