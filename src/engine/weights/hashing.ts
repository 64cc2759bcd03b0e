// Hashes a file on disk: sha256 of its bytes, and optionally its git blob sha1
// (sha1 of "blob <size>\0" + bytes), which is what the Hub reports as the ETag
// of small non-LFS files.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileDigests {
  bytes: number;
  sha256: string;
  gitSha1?: string;
}

export async function hashFile(path: string, opts: { gitSha1?: boolean; signal?: AbortSignal } = {}): Promise<FileDigests> {
  const { size } = await stat(path);
  const sha256 = createHash('sha256');
  const sha1 = opts.gitSha1 ? createHash('sha1').update(`blob ${size}\0`) : undefined;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal: opts.signal })) {
    const buf = chunk as Buffer;
    sha256.update(buf);
    sha1?.update(buf);
    bytes += buf.length;
  }
  return { bytes, sha256: sha256.digest('hex'), ...(sha1 ? { gitSha1: sha1.digest('hex') } : {}) };
}

export function gitBlobSha1(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}
