// Refuses webhooks that would call this server itself. A webhook payload sent
// to POST /v1/predictions (or /predictions) is a valid create request, so a
// self-pointing webhook could start predictions without end; one to /shutdown
// would stop the server.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Request } from 'express';
import type { ValidationDetail } from '../types.ts';

const LOOKUP_TIMEOUT_MS = 2000;

/** A 422 detail entry when the webhook of a create request would call this server. */
export async function selfWebhookIssue(url: string | undefined, req: Request): Promise<ValidationDetail | undefined> {
  const why = url === undefined ? undefined : await selfWebhookReason(url, req);
  if (!why) return undefined;
  return {
    loc: ['body', 'webhook'],
    msg: `webhook must not point at this server itself: ${why}. Its payload would be sent back here as a new request; give the URL of a separate receiver.`,
    type: 'value_error.url',
  };
}

/** Why `url` reaches this server (as seen from `req`), or undefined when it does not. */
export async function selfWebhookReason(url: string, req: Request): Promise<string | undefined> {
  const u = new URL(url);
  const host = u.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (matchesHostHeader(host, port, req.get('host'))) return `it names this server's own host (${req.get('host')})`;
  if (port !== req.socket.localPort) return undefined;
  const own = `this server's own port ${port}`;
  if (host === 'localhost' || host.endsWith('.localhost')) return `it is localhost at ${own}`;
  const addresses = isIP(host) ? [host] : await resolve(host);
  const local = addresses.find((a) => isLocalAddress(a, req.socket.localAddress));
  return local === undefined ? undefined : `${host === local ? '' : `${host} is `}${local}, an address of this machine, at ${own}`;
}

function matchesHostHeader(host: string, port: number, header: string | undefined): boolean {
  if (!header) return false;
  let h: URL;
  try {
    h = new URL(`http://${header}`);
  } catch {
    return false;
  }
  const headerHost = h.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // A Host without a port (typical behind a proxy) names the default ports.
  return headerHost === host && (h.port === '' ? port === 80 || port === 443 : Number(h.port) === port);
}

async function resolve(host: string): Promise<string[]> {
  const timeout = new Promise<never[]>((r) => setTimeout(() => r([]), LOOKUP_TIMEOUT_MS).unref());
  const found = lookup(host, { all: true, verbatim: true }).then(
    (as) => as.map((a) => a.address),
    () => [],
  );
  return Promise.race([found, timeout]);
}

/** Loopback, unspecified (0.0.0.0 and :: reach the local host), or an address of a local interface. */
function isLocalAddress(address: string, socketLocal: string | undefined): boolean {
  const a = unmapIpv4(address.toLowerCase());
  if (isIP(a) === 4 && (a.startsWith('127.') || a.startsWith('0.'))) return true;
  if (a === '::1' || a === '::') return true;
  const locals = Object.values(networkInterfaces())
    .flat()
    .map((i) => unmapIpv4(i!.address.toLowerCase()));
  if (socketLocal) locals.push(unmapIpv4(socketLocal.toLowerCase()));
  return locals.includes(a);
}

/** `::ffff:127.0.0.1` and its hex form `::ffff:7f00:1` as the IPv4 address they carry. */
function unmapIpv4(a: string): string {
  const m = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/.exec(a);
  if (!m || isIP(a) !== 6) return a.replace(/%.*$/, '');
  if (isIP(m[1]) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(m[1]);
  if (!hex) return a;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
