// API keys as the server holds them: only their sha256 digests. Presented
// tokens are hashed too and compared with timingSafeEqual against every key,
// so neither the comparison nor its early exit reveals how much matched.
import { createHash, timingSafeEqual } from 'node:crypto';

/** sha256 of `text`, as 32 bytes. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** First 8 hex digits of the key's sha256: tells keys apart in logs without revealing them. */
export function shortKeyHash(key: string): string {
  return digest(key).toString('hex').slice(0, 8);
}

export class KeySet {
  private readonly digests: Buffer[];

  constructor(keys: Iterable<string>) {
    this.digests = [...new Set(keys)].map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  /** Short hashes of the keys, for a log line. */
  shortHashes(): string[] {
    return this.digests.map((d) => d.toString('hex').slice(0, 8));
  }

  /**
   * The owner id (full sha256 hex) of the key `token` equals, or undefined.
   * Every key is compared, match or not.
   */
  match(token: string): string | undefined {
    const presented = digest(token);
    let found: Buffer | undefined;
    for (const d of this.digests) {
      if (timingSafeEqual(presented, d) && !found) found = d;
    }
    return found?.toString('hex');
  }

  /** Same keys (order aside)? */
  sameAs(other: KeySet): boolean {
    const mine = new Set(this.digests.map((d) => d.toString('hex')));
    return other.size === mine.size && other.digests.every((d) => mine.has(d.toString('hex')));
  }
}

/** API_KEYS: comma-separated, spaces around each key ignored, empty entries skipped. */
export function parseKeyList(text: string): string[] {
  return text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** An API_KEYS_FILE: one key per line; blank lines and lines starting with `#` are skipped. */
export function parseKeyFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((k) => k.trim())
    .filter((k) => k !== '' && !k.startsWith('#'));
}

/** Why `key` cannot be sent as a bearer token (RFC 6750's b64token), or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(key)) return 'may hold only letters, digits and - . _ ~ + / (then = padding)';
  return undefined;
}
