// Headers on every response: no MIME sniffing (a JSON body that echoes input
// must never be read as HTML or script), and a Content-Security-Policy that
// lets the playground load only its own files and talk only to this server.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** API answers are data, never a document: nothing may load or frame them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(webDir: string): RequestHandler {
  const playgroundCsp = playgroundPolicy(inlineScriptHashes(join(webDir, 'index.html')));
  return (req: Request, res: Response, next: NextFunction) => {
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Content-Security-Policy', req.path === '/playground' || req.path.startsWith('/playground/') ? playgroundCsp : API_CSP);
    next();
  };
}

function playgroundPolicy(scriptHashes: string[]): string {
  return [
    "default-src 'none'",
    `script-src 'self'${scriptHashes.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * CSP hashes of the page's inline <script>s (it has one, which adds the
 * trailing slash its relative module paths need), so they run and nothing
 * else inline does. Read once at startup.
 */
function inlineScriptHashes(indexHtml: string): string[] {
  if (!existsSync(indexHtml)) return [];
  const html = readFileSync(indexHtml, 'utf8');
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}`,
  );
}
