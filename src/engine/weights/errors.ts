// One error class for everything that can go wrong while fetching weights.
// `code` lets callers (and tests) tell the cases apart; the message always says
// what happened and what to do about it.

export type WeightsErrorCode =
  | 'offline' // DNS failure: no network or wrong HF_ENDPOINT host
  | 'network' // connection refused/reset, retries exhausted
  | 'stalled' // no bytes for too long, retries exhausted
  | 'auth' // 401: token missing or rejected
  | 'forbidden' // 403: gated repo, terms not accepted, or token lacks access
  | 'not-found' // 404: wrong repo, revision or path
  | 'http' // any other unexpected HTTP status
  | 'checksum' // size or hash differs from what was expected
  | 'unverifiable' // no expected hash known for a file
  | 'disk-space' // not enough free space, or ENOSPC while writing
  | 'local-missing' // BGE_M3_WEIGHTS / offline mode points at a missing directory
  | 'aborted'; // the caller's AbortSignal fired

export class WeightsError extends Error {
  readonly code: WeightsErrorCode;
  /** Repo path of the file being fetched, when the error is about one file. */
  readonly file?: string;
  /** Worth another attempt (the download then resumes from its .part file). */
  readonly retryable: boolean;

  constructor(code: WeightsErrorCode, message: string, opts: { file?: string; cause?: unknown; retryable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = code === 'aborted' ? 'AbortError' : 'WeightsError';
    this.code = code;
    this.file = opts.file;
    this.retryable = opts.retryable ?? (code === 'network' || code === 'stalled');
  }
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}
