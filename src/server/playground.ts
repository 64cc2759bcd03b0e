// The playground (static files in web/) at /playground, and the browser
// redirects to it from / and /docs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import express, { type Request, type Router } from 'express';

export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../web', import.meta.url));
}

export function playgroundPresent(webDir: string): boolean {
  return existsSync(join(webDir, 'index.html'));
}

/** Browsers list text/html first; API clients send JSON or * / *, and get Cog's JSON. */
export function prefersHtml(req: Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

export function staticRoutes(webDir: string): Router {
  const r = express.Router();
  r.use('/playground', express.static(webDir, { index: 'index.html', fallthrough: true }));
  r.get('/docs', (_req, res, next) => (playgroundPresent(webDir) ? res.redirect(302, '/playground/') : next()));
  return r;
}
