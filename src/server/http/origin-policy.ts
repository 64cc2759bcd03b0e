// Cross-origin requests. A browser lets any web page send a "simple" POST
// (text/plain, form data) to any server, the user's own machine included, and
// this server parses every body as JSON: so a request whose Origin is another
// site may not change anything here, unless that origin is allowed by
// CORS_ALLOW_ORIGINS, which then gets proper CORS answers. Clients that send
// no Origin (curl, servers, SDKs) are not browsers and pass untouched.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Prefer, Traceparent, Tracestate';
const EXPOSED_HEADERS = 'Location, Retry-After';

/** Writes the 403 in the error shape of the protocol that claims the request. */
export type RefusalWriter = (req: Request, res: Response, message: string) => void;

export function originPolicy(allowOrigins: readonly string[], refuse: RefusalWriter): RequestHandler {
  const any = allowOrigins.includes('*');
  const allows = (origin: string) => any || allowOrigins.includes(origin);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin === undefined || isSameOrigin(origin, req.get('host'))) return next();
    const allowed = allows(origin);
    if (allowed) {
      res.set('Access-Control-Allow-Origin', any ? '*' : origin);
      res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      if (!any) res.vary('Origin');
    }
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;
    if (allowed && preflight) {
      res.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.set('Access-Control-Max-Age', '600');
      return void res.status(204).end();
    }
    if (allowed || (SAFE_METHODS.has(req.method) && !preflight)) return next();
    req.resume(); // discard the unread body, so the connection stays usable
    refuse(
      req,
      res,
      `A web page from ${JSON.stringify(origin.slice(0, 200))} may not send ${preflight ? 'this' : `a ${req.method}`} request to this server. ` +
        'To let pages from that origin call it, list the origin in CORS_ALLOW_ORIGINS.',
    );
  };
}

/** The Origin names the host the request was sent to. The scheme is not compared: a TLS proxy may sit in front. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const o = new URL(origin);
    return /^https?:$/.test(o.protocol) && o.host === new URL(`${o.protocol}//${host}`).host;
  } catch {
    return false;
  }
}
