// TRUST_PROXY: which proxies in front of the server may say who the client is
// (X-Forwarded-For), as Express's "trust proxy" setting defines it: a hop
// count, or the proxies' addresses and subnets (loopback, linklocal and
// uniquelocal name the private ranges). Off by default: then every request's
// client is the socket's peer, and behind a proxy every client is the proxy.
import { isIP } from 'node:net';

export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function parseTrustProxy(raw: string, name = 'TRUST_PROXY'): TrustProxy {
  const value = raw.trim();
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.find((a) => !NAMED.has(a) && !isAddressOrSubnet(a));
  if (bad !== undefined || !list.length) {
    throw new Error(
      `${name}=${JSON.stringify(raw)} is not valid: expected the number of proxies in front of the server (1 for one), or their addresses or subnets such as 10.0.0.0/8 (or loopback, linklocal, uniquelocal), comma-separated. Fix or unset it.`,
    );
  }
  return list;
}

function isAddressOrSubnet(s: string): boolean {
  const [address, bits, extra] = s.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
