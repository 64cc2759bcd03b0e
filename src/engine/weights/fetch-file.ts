// Downloads one repo file into `<target>.part`: follows the Hub's redirect to
// its CDN (dropping Authorization there), resumes with HTTP Range from an
// existing part, restarts cleanly when the server ignores Range, fails stalled
// connections, and retries transient failures. It leaves a complete part file;
// verification and the final rename are the caller's job.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNoSpaceError, noSpaceWhileWriting } from './disk-space.ts';
import { WeightsError } from './errors.ts';
import { mergeHubInfo, readHubInfo, startFromContentRange, totalFromContentRange, type HubFileInfo } from './hub-headers.ts';
import { networkError, statusError, type RequestContext } from './http-errors.ts';
import type { WeightFile } from './manifest.ts';
import { discardPart, partPath, partSize, readPartIdentity, writePartIdentity, type OpenPart } from './part-file.ts';
import { readAhead, type ReadAhead } from './read-ahead.ts';
import { StallGuard, type StallTimer } from './stall-guard.ts';

export interface FetchFileOptions {
  url: string;
  repo: string;
  revision: string;
  file: WeightFile;
  target: string;
  token?: string;
  userAgent: string;
  stallTimeoutMs: number;
  /** How the stall guard waits; default a real timer. */
  stallTimer?: StallTimer;
  retries: number;
  retryDelayMs: number;
  signal?: AbortSignal;
  fetch: typeof fetch;
  openPart: OpenPart;
  /** Bytes of this file now in the part file, and its total when known. */
  onBytes: (bytes: number, total: number | undefined) => void;
  /** Called before another attempt after a transient failure. */
  onRetry?: (err: WeightsError, attempt: number, delayMs: number) => void;
}

export interface FetchedFile {
  hub: HubFileInfo;
}

const MAX_REDIRECTS = 10;

export async function fetchToPart(opts: FetchFileOptions): Promise<FetchedFile> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(opts);
    } catch (err) {
      const e = toWeightsError(err, opts);
      if (!e.retryable || attempt >= opts.retries) throw e;
      const delayMs = Math.min(opts.retryDelayMs * 2 ** attempt, 30_000);
      opts.onRetry?.(e, attempt + 1, delayMs);
      await sleep(delayMs, undefined, { signal: opts.signal }).catch(() => {
        throw aborted(opts.file.path);
      });
    }
  }
}

async function attemptOnce(opts: FetchFileOptions): Promise<FetchedFile> {
  let offset = await usablePartSize(opts);
  if (opts.file.bytes !== undefined && offset === opts.file.bytes && offset > 0) {
    opts.onBytes(offset, offset);
    return { hub: {} };
  }
  const guard = new StallGuard(opts.stallTimeoutMs, opts.stallTimer);
  const signal = opts.signal ? AbortSignal.any([guard.controller.signal, opts.signal]) : guard.controller.signal;
  try {
    const { res, hub } = await openResponse(opts, offset, signal, guard);
    if (res.status === 416) return await rangeNotSatisfiable(res, opts, offset, hub);
    if (!res.body) throw new WeightsError('network', `Empty response body for ${opts.file.path}.`, { file: opts.file.path, retryable: true });
    const body = readAhead(res.body);
    offset = await settleOffset(res, body, opts, offset, hub);
    const total = opts.file.bytes ?? hub.size ?? expectedTotal(res, offset);
    await writeBody(body, opts, offset, total, guard);
    return { hub };
  } catch (err) {
    throw guard.stalled ? stalledError(opts) : err;
  } finally {
    guard.stop();
  }
}

/** Size of a part file that can be resumed; stale or oversized parts are discarded. */
async function usablePartSize(opts: FetchFileOptions): Promise<number> {
  const size = await partSize(opts.target);
  if (size === 0) return 0;
  const identity = await readPartIdentity(opts.target);
  const stale = identity !== undefined && opts.file.sha256 !== undefined && identity !== opts.file.sha256;
  const oversized = opts.file.bytes !== undefined && size > opts.file.bytes;
  if (stale || oversized) {
    await discardPart(opts.target);
    return 0;
  }
  return size;
}

async function openResponse(opts: FetchFileOptions, offset: number, signal: AbortSignal, guard: StallGuard) {
  const hubOrigin = new URL(opts.url).origin;
  let url = opts.url;
  let hub: HubFileInfo = {};
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const onHub = new URL(url).origin === hubOrigin;
    const res = await opts.fetch(url, { headers: requestHeaders(opts, offset, onHub), redirect: 'manual', signal });
    guard.touch();
    if (onHub) hub = mergeHubInfo(hub, readHubInfo(res.headers));
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    if (res.ok || res.status === 416) return { res, hub };
    await res.body?.cancel();
    throw onHub ? statusError(res, requestContext(opts, url)) : storageError(res, opts, url);
  }
  throw new WeightsError('http', `Too many redirects while fetching ${opts.file.path} from ${opts.url}.`, { file: opts.file.path });
}

/** An error status from the storage the Hub redirected to: its signed link may have expired, so ask the Hub again. */
function storageError(res: Response, opts: FetchFileOptions, url: string): WeightsError {
  return new WeightsError(
    'http',
    `The file storage at ${new URL(url).host} answered HTTP ${res.status} ${res.statusText} for ${opts.file.path} (the Hub's signed download link may have expired). Run again; if it persists, check HF_ENDPOINT and any proxy.`,
    { file: opts.file.path, retryable: true },
  );
}

function requestHeaders(opts: FetchFileOptions, offset: number, onHub: boolean): Record<string, string> {
  // identity: byte offsets must refer to the file itself, not a compressed stream.
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': opts.userAgent };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  if (onHub && opts.token) headers.authorization = `Bearer ${opts.token}`;
  return headers;
}

/** 416 on a resume: either the part is already complete, or it is bad and must go. */
async function rangeNotSatisfiable(res: Response, opts: FetchFileOptions, offset: number, hub: HubFileInfo): Promise<FetchedFile> {
  await res.body?.cancel();
  const total = opts.file.bytes ?? hub.size ?? totalFromContentRange(res.headers.get('content-range'));
  if (total !== undefined && total === offset) {
    opts.onBytes(offset, total);
    return { hub };
  }
  await discardPart(opts.target);
  throw new WeightsError('http', `The server refused to resume ${opts.file.path} at byte ${offset}; the partial file was discarded.`, {
    file: opts.file.path,
    retryable: true,
  });
}

/** Decides where writing starts: resume at `offset` on a matching 206, else from zero. */
async function settleOffset(res: Response, body: ReadAhead, opts: FetchFileOptions, offset: number, hub: HubFileInfo): Promise<number> {
  const identity = opts.file.sha256 ?? hub.sha256 ?? hub.gitSha1;
  if (offset > 0) {
    const recorded = await readPartIdentity(opts.target);
    const resumable = res.status === 206 && startFromContentRange(res.headers.get('content-range')) === offset;
    const sameContent = recorded === undefined || identity === undefined || recorded === identity;
    if (!resumable || !sameContent) {
      if (res.status === 206) {
        // A 206 from the wrong offset or for other content cannot be used: start over.
        await body.cancel();
        await discardPart(opts.target);
        throw new WeightsError('http', `The server resumed ${opts.file.path} at the wrong place; starting it over.`, { file: opts.file.path, retryable: true });
      }
      offset = 0; // 200: the server ignored Range and sends the whole file
    }
  }
  await writePartIdentity(opts.target, identity);
  return offset;
}

function expectedTotal(res: Response, offset: number): number | undefined {
  if (res.status === 206) return totalFromContentRange(res.headers.get('content-range'));
  const len = res.headers.get('content-length');
  return len && /^\d+$/.test(len) ? offset + Number(len) : undefined;
}

async function writeBody(body: ReadAhead, opts: FetchFileOptions, offset: number, total: number | undefined, guard: StallGuard): Promise<void> {
  const writer = await opts.openPart(partPath(opts.target), offset > 0);
  let written = offset;
  let overflow = false;
  opts.onBytes(written, total);
  try {
    for await (const chunk of body) {
      guard.touch();
      await writer.write(chunk);
      written += chunk.length;
      if (total !== undefined && written > total) {
        overflow = true;
        break;
      }
      opts.onBytes(written, total);
    }
  } finally {
    await writer.close();
  }
  if (overflow) {
    await body.cancel();
    await discardPart(opts.target);
    throw tooManyBytes(opts, total!);
  }
  if (total !== undefined && written < total) {
    throw new WeightsError('network', `The connection closed after ${written} of ${total} bytes of ${opts.file.path}.`, { file: opts.file.path });
  }
}

function tooManyBytes(opts: FetchFileOptions, total: number): WeightsError {
  return new WeightsError(
    'checksum',
    `The server sent more than the expected ${total} bytes of ${opts.file.path}, so it is not the published file; the download was deleted. Check that HF_ENDPOINT serves ${opts.repo}@${opts.revision}.`,
    { file: opts.file.path },
  );
}

function toWeightsError(err: unknown, opts: FetchFileOptions): WeightsError {
  if (opts.signal?.aborted) return aborted(opts.file.path);
  if (err instanceof WeightsError) return err;
  if (isNoSpaceError(err)) return noSpaceWhileWriting(path.dirname(opts.target), opts.file.path, err);
  return networkError(err, { file: opts.file.path, url: opts.url });
}

function stalledError(opts: FetchFileOptions): WeightsError {
  return new WeightsError(
    'stalled',
    `No data arrived for ${(opts.stallTimeoutMs / 1000).toFixed(1)} s while fetching ${opts.file.path} from ${new URL(opts.url).host}: the connection stalled. Run again later to resume where it stopped, or set HF_ENDPOINT to another mirror.`,
    { file: opts.file.path },
  );
}

function aborted(file: string): WeightsError {
  return new WeightsError('aborted', `Download of ${file} was cancelled; the partial file is kept so the next run resumes.`, { file, retryable: false });
}

function requestContext(opts: FetchFileOptions, url: string): RequestContext {
  return { repo: opts.repo, revision: opts.revision, file: opts.file.path, url, hasToken: Boolean(opts.token) };
}
