// The host names this server answers to (ALLOWED_HOSTS), checked against the
// Host header of every request. The origin policy (origin-policy.ts) compares
// a page's Origin with the Host it sent; a page on a name that an attacker
// made resolve to this machine (DNS rebinding) passes that check, but not
// this one, because its Host names the attacker's domain. Always allowed:
// localhost, the loopback addresses and the addresses the server listens on
// (so probes and local clients keep working); ALLOWED_HOSTS adds to them.
import os from 'node:os';
import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RefusalWriter } from './origin-policy.ts';

/** `*` (any), `.example.com` (it and its subdomains), a host name or an IP address. */
export type HostPattern = string;

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/** ALLOWED_HOSTS: comma-separated patterns; throws naming the variable and the fix. */
export function parseAllowedHosts(raw: string, name = 'ALLOWED_HOSTS'): HostPattern[] {
  const hosts = raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .map((h) => h.replace(/^\[(.*)\]$/, '$1'));
  const bad = hosts.find((h) => h !== '*' && !isIP(h) && !/^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(h));
  if (bad !== undefined) {
    throw new Error(
      `${name} holds ${JSON.stringify(bad)}, which is not a host name: expected names such as api.example.com, .example.com (with subdomains), IP addresses, or *, comma-separated, without ports. Fix or unset it.`,
    );
  }
  if (!hosts.length) throw new Error(`${name} is set but names no host: give comma-separated host names, or unset it for the default.`);
  return hosts;
}

/** localhost, the loopback addresses, and where the server listens: the given address, or every interface's for 0.0.0.0 and ::. */
export function ownHosts(listenHost: string): HostPattern[] {
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '';
  const own = wildcard ? Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)) : [listenHost];
  return [...new Set([...LOOPBACK, ...own.map((h) => h.toLowerCase().replace(/%.*$/, ''))])];
}

/** The host of a Host header, lower-cased, without its port or IPv6 brackets; undefined when it is not one. */
export function hostOf(header: string): string | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]*))(?::\d*)?$/i.exec(header.trim());
  const host = (m?.[1] ?? m?.[2])?.toLowerCase().replace(/\.$/, '');
  return host || undefined;
}

export function hostAllowed(host: string, patterns: readonly HostPattern[]): boolean {
  return patterns.some((p) => p === '*' || p.replace(/\.$/, '') === host || (p.startsWith('.') && (host.endsWith(p) || host === p.slice(1))));
}

/**
 * Refuses a request whose Host is not allowed (403), in the shape of the API
 * it was sent to. A request without a Host header (HTTP/1.0) comes from no browser
 * and passes.
 */
export function allowedHostsGuard(patterns: readonly HostPattern[], refuse: RefusalWriter): RequestHandler {
  if (patterns.includes('*')) return (_req, _res, next) => next();
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.host;
    if (header === undefined) return next();
    const host = hostOf(header);
    if (host !== undefined && hostAllowed(host, patterns)) return next();
    req.resume();
    refuse(
      req,
      res,
      `This server does not answer to the host name ${JSON.stringify(header.slice(0, 200))} (the request's Host header). If that name is how clients reach it, add it to ALLOWED_HOSTS (comma-separated; .example.com allows a domain and its subdomains, * any name).`,
    );
  };
}
