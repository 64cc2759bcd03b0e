// Checks a finished part file against every expected size and hash we have:
// the pinned manifest and what the Hub reported while serving it. Any mismatch
// deletes the part and fails with both values in the message.
import { WeightsError, formatBytes } from './errors.ts';
import { hashFile, type FileDigests } from './hashing.ts';
import type { HubFileInfo } from './hub-headers.ts';
import type { WeightFile } from './manifest.ts';
import { discardPart, partPath } from './part-file.ts';

interface Check {
  what: 'size' | 'sha256' | 'git blob sha1';
  expected: string;
  actual: (d: FileDigests) => string | undefined;
  source: 'pinned manifest' | 'Hub headers';
}

export function checksFor(file: WeightFile, hub: HubFileInfo): Check[] {
  const checks: Check[] = [];
  const add = (what: Check['what'], value: string | number | undefined, source: Check['source']) => {
    if (value === undefined) return;
    const actual = what === 'size' ? (d: FileDigests) => String(d.bytes) : what === 'sha256' ? (d: FileDigests) => d.sha256 : (d: FileDigests) => d.gitSha1;
    checks.push({ what, expected: String(value), actual, source });
  };
  add('size', file.bytes, 'pinned manifest');
  add('size', hub.size, 'Hub headers');
  add('sha256', file.sha256, 'pinned manifest');
  add('sha256', hub.sha256, 'Hub headers');
  add('git blob sha1', file.gitSha1, 'pinned manifest');
  add('git blob sha1', hub.gitSha1, 'Hub headers');
  return checks;
}

export async function verifyPart(
  target: string,
  file: WeightFile,
  hub: HubFileInfo,
  ctx: { repo: string; revision: string; signal?: AbortSignal },
): Promise<FileDigests> {
  const checks = checksFor(file, hub);
  if (!checks.some((c) => c.what !== 'size')) {
    throw new WeightsError(
      'unverifiable',
      `No hash is known for ${file.path} at ${ctx.repo}@${ctx.revision}: it is not the pinned revision and the server reported none. Use the pinned revision (unset BGE_M3_REVISION), or a Hub mirror (HF_ENDPOINT) that sends X-Linked-Etag/ETag headers.`,
      { file: file.path },
    );
  }
  const digests = await hashFile(partPath(target), { gitSha1: checks.some((c) => c.what === 'git blob sha1'), signal: ctx.signal });
  const failed = checks.filter((c) => c.actual(digests) !== c.expected);
  if (failed.length > 0) {
    await discardPart(target);
    const details = failed.map((c) => `${c.what} is ${show(c, c.actual(digests))}, expected ${show(c, c.expected)} (${c.source})`).join('; ');
    throw new WeightsError(
      'checksum',
      `${file.path} failed verification: ${details}. The corrupt download was deleted; run again to fetch it afresh. If it fails again, the server (HF_ENDPOINT) is not serving ${ctx.repo}@${ctx.revision} as published.`,
      { file: file.path },
    );
  }
  return digests;
}

function show(c: Check, v: string | undefined): string {
  if (v === undefined) return 'unknown';
  return c.what === 'size' ? `${v} bytes (${formatBytes(Number(v))})` : v;
}
