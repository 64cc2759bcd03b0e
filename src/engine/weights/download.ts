// downloadWeights(): makes a weights directory hold the pinned BAAI/bge-m3
// export, downloading what is missing and verifying every file before it is
// moved into place. weightsPresent(): a quick check that it does.
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreeSpace, defaultStatFs, type StatFs } from './disk-space.ts';
import { WeightsError, formatBytes } from './errors.ts';
import { fetchToPart } from './fetch-file.ts';
import { hashFile } from './hashing.ts';
import { resolveUrl } from './hub-headers.ts';
import { PINNED_REVISION, REPO_ID, filesForRevision, totalBytes, type WeightFile } from './manifest.ts';
import { openPartFile, partPath, partSize, removePartMeta, type OpenPart } from './part-file.ts';
import { ProgressTracker, type DownloadProgress } from './progress.ts';
import type { StallTimer } from './stall-guard.ts';
import { readRecord, recordedEntry, withFile, writeRecord, type DownloadRecord, type RecordedFile } from './record.ts';
import { verifyPart } from './verify.ts';
import type { Env } from '../../setting-kinds.ts';
import { WEIGHTS_SETTINGS, weightsSetting } from './settings.ts';

export const DEFAULT_ENDPOINT = WEIGHTS_SETTINGS.HF_ENDPOINT.default;
export const DEFAULT_WEIGHTS_DIR = fileURLToPath(new URL('../../../weights', import.meta.url));

export interface DownloadOptions {
  /** Target directory; default ./weights of the project. */
  dir?: string;
  /** Hub base URL; default HF_ENDPOINT, then https://huggingface.co. */
  endpoint?: string;
  /** Access token; default HF_TOKEN (then HUGGING_FACE_HUB_TOKEN). */
  token?: string;
  /** Repo revision; default BGE_M3_REVISION, then the pinned commit. */
  revision?: string;
  repo?: string;
  /** Files to fetch; default the pinned manifest (tests pass their own). */
  files?: WeightFile[];
  onProgress?: (p: DownloadProgress) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Environment to read defaults from; default this process's. */
  env?: Env;
  /** Fail a connection that sends nothing for this long; default 60 s. */
  stallTimeoutMs?: number;
  /** How a connection's stall is timed; default a real timer (tests pass one they fire by hand). */
  stallTimer?: StallTimer;
  /** Extra attempts per file after a transient failure; default 5. */
  retries?: number;
  retryDelayMs?: number;
  fetch?: typeof fetch;
  openPart?: OpenPart;
  statFs?: StatFs;
}

export interface DownloadResult {
  dir: string;
  repo: string;
  revision: string;
  /** Commit the revision resolved to, as reported by the Hub. */
  commit?: string;
  /** 'local': BGE_M3_WEIGHTS or offline mode, nothing fetched; 'cached': all present already. */
  source: 'download' | 'cached' | 'local';
  files: RecordedFile[];
}

interface Resolved {
  dir: string;
  repo: string;
  revision: string;
  endpoint: string;
  token?: string;
  files: WeightFile[];
  log: (line: string) => void;
}

export async function downloadWeights(opts: DownloadOptions = {}): Promise<DownloadResult> {
  const r = resolveOptions(opts, opts.env);
  const local = weightsSetting('BGE_M3_WEIGHTS', opts.env);
  if (local) return useLocalDir(path.resolve(local), r, 'BGE_M3_WEIGHTS is set');
  if (weightsSetting('HF_HUB_OFFLINE', opts.env)) return useOfflineDir(r);
  await mkdir(r.dir, { recursive: true });
  let record: DownloadRecord = (await readRecord(r.dir)) ?? { repo: r.repo, revision: r.revision, files: [] };
  if (record.repo !== r.repo || record.revision !== r.revision) record = { repo: r.repo, revision: r.revision, files: [] };
  const { present, pending } = await partitionPresent(r, record, opts.signal);
  const unrecorded = present.filter((f) => !recordedEntry(record, r.repo, r.revision, f.path));
  if (unrecorded.length > 0) {
    // Files found and hashed here (copied in by hand, say): record them so the next run skips the hashing.
    record = unrecorded.reduce(withFile, record);
    await writeRecord(r.dir, record);
  }
  await assertFreeSpace(r.dir, await bytesStillNeeded(r.dir, pending), opts.statFs ?? defaultStatFs);
  if (pending.length > 0) r.log(`Downloading ${pending.length} file(s) of ${r.repo}@${r.revision} into ${r.dir}${sizeNote(pending)}`);
  const tracker = new ProgressTracker(
    totalBytes(r.files),
    r.files.length,
    opts.onProgress,
    present.reduce((s, f) => s + f.bytes, 0),
  );
  const fetched: RecordedFile[] = [];
  for (const [i, file] of pending.entries()) {
    const { entry, commit } = await fetchAndVerify(r, file, present.length + i, tracker, opts);
    record = withFile({ ...record, commit: commit ?? record.commit }, entry);
    await writeRecord(r.dir, record);
    fetched.push(entry);
  }
  const byPath = new Map([...present, ...fetched].map((f) => [f.path, f]));
  return {
    dir: r.dir,
    repo: r.repo,
    revision: r.revision,
    commit: record.commit,
    source: pending.length > 0 ? 'download' : 'cached',
    files: r.files.map((f) => byPath.get(f.path)!),
  };
}

/** True when `dir` holds every file of the download at `revision` (sizes checked, not hashes). */
export async function weightsPresent(dir: string, revision: string = PINNED_REVISION): Promise<boolean> {
  for (const f of filesForRevision(revision)) {
    const s = await stat(path.join(dir, f.path)).catch(() => null);
    if (!s?.isFile() || (f.bytes !== undefined && s.size !== f.bytes)) return false;
  }
  return true;
}

function resolveOptions(opts: DownloadOptions, env: Env | undefined): Resolved {
  const revision = opts.revision ?? weightsSetting('BGE_M3_REVISION', env);
  const files = opts.files ?? filesForRevision(revision);
  for (const f of files) {
    if (path.isAbsolute(f.path) || f.path.split('/').includes('..')) throw new Error(`Refusing to write outside the weights directory: ${f.path}`);
  }
  return {
    dir: path.resolve(opts.dir ?? DEFAULT_WEIGHTS_DIR),
    repo: opts.repo ?? REPO_ID,
    revision,
    endpoint: opts.endpoint ?? weightsSetting('HF_ENDPOINT', env),
    token: opts.token ?? weightsSetting('HF_TOKEN', env) ?? weightsSetting('HUGGING_FACE_HUB_TOKEN', env),
    files,
    log: opts.log ?? (() => {}),
  };
}

async function useLocalDir(dir: string, r: Resolved, why: string): Promise<DownloadResult> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) {
    throw new WeightsError(
      'local-missing',
      `${why}, so nothing is downloaded, but ${dir} is not a directory. Point BGE_M3_WEIGHTS at the directory that holds the model files, or unset it to download ${r.repo} into ${r.dir}.`,
    );
  }
  r.log(`${why}: using ${dir} as is, downloading nothing`);
  return { dir, repo: r.repo, revision: r.revision, source: 'local', files: [] };
}

async function useOfflineDir(r: Resolved): Promise<DownloadResult> {
  const missing: string[] = [];
  for (const f of r.files) {
    const s = await stat(path.join(r.dir, f.path)).catch(() => null);
    if (!s?.isFile()) missing.push(f.path);
  }
  if (missing.length > 0) {
    throw new WeightsError(
      'local-missing',
      `HF_HUB_OFFLINE is set, so nothing is downloaded, but ${r.dir} lacks ${missing.join(', ')}. Unset HF_HUB_OFFLINE to download them, or set BGE_M3_WEIGHTS to a directory that has the model.`,
    );
  }
  return useLocalDir(r.dir, r, 'HF_HUB_OFFLINE is set');
}

/** Splits the files into those already verified in `dir` and those to fetch (smallest first, so errors show early). */
async function partitionPresent(r: Resolved, record: DownloadRecord, signal?: AbortSignal) {
  const present: RecordedFile[] = [];
  const pending: WeightFile[] = [];
  for (const f of r.files) {
    const ok = await verifiedOnDisk(r, f, record, signal);
    if (ok) present.push(ok);
    else pending.push(f);
  }
  pending.sort((a, b) => (a.bytes ?? Infinity) - (b.bytes ?? Infinity));
  return { present, pending };
}

async function verifiedOnDisk(r: Resolved, f: WeightFile, record: DownloadRecord, signal?: AbortSignal): Promise<RecordedFile | undefined> {
  const s = await stat(path.join(r.dir, f.path)).catch(() => null);
  if (!s?.isFile() || (f.bytes !== undefined && s.size !== f.bytes)) return undefined;
  const seen = recordedEntry(record, r.repo, r.revision, f.path);
  if (seen && seen.bytes === s.size && (f.sha256 === undefined || seen.sha256 === f.sha256)) return seen;
  if (f.sha256 === undefined) return undefined; // cannot vouch for an unrecorded file without a known hash
  const d = await hashFile(path.join(r.dir, f.path), { signal });
  return d.sha256 === f.sha256 ? { path: f.path, bytes: d.bytes, sha256: d.sha256 } : undefined;
}

async function bytesStillNeeded(dir: string, pending: WeightFile[]): Promise<number> {
  let need = 0;
  for (const f of pending) {
    if (f.bytes !== undefined) need += Math.max(0, f.bytes - (await partSize(path.join(dir, f.path))));
  }
  return need;
}

async function fetchAndVerify(r: Resolved, file: WeightFile, index: number, tracker: ProgressTracker, opts: DownloadOptions) {
  const target = path.join(r.dir, file.path);
  await mkdir(path.dirname(target), { recursive: true });
  const { hub } = await fetchToPart({
    url: resolveUrl(r.endpoint, r.repo, r.revision, file.path),
    repo: r.repo,
    revision: r.revision,
    file,
    target,
    token: r.token,
    userAgent: 'bge-m3-cog/0.1 (weights downloader; node)',
    stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
    stallTimer: opts.stallTimer,
    retries: opts.retries ?? 5,
    retryDelayMs: opts.retryDelayMs ?? 1_000,
    signal: opts.signal,
    fetch: opts.fetch ?? globalThis.fetch,
    openPart: opts.openPart ?? openPartFile,
    onBytes: (bytes, total) => tracker.update(file.path, index, 'download', bytes, total),
    onRetry: (err, attempt, delayMs) =>
      r.log(`${err.message} Retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${(opts.retries ?? 5) + 1}).`),
  });
  const partBytes = await partSize(target);
  tracker.update(file.path, index, 'verify', partBytes, file.bytes ?? hub.size);
  const digests = await verifyPart(target, file, hub, { repo: r.repo, revision: r.revision, signal: opts.signal });
  await rename(partPath(target), target);
  await removePartMeta(target);
  tracker.finish(file.path, index, digests.bytes);
  r.log(`Verified ${file.path} (${formatBytes(digests.bytes)}, sha256 ${digests.sha256.slice(0, 12)}…)`);
  return { entry: { path: file.path, bytes: digests.bytes, sha256: digests.sha256 }, commit: hub.commit };
}

function sizeNote(files: WeightFile[]): string {
  const total = totalBytes(files);
  return total === null ? '' : ` (${formatBytes(total)})`;
}
