// Reads what the Hugging Face Hub says about a file from its resolve response.
//
// GET {endpoint}/{repo}/resolve/{revision}/{path}:
// - LFS files answer 302 to a CDN, with X-Linked-Etag = "<sha256>" and
//   X-Linked-Size = bytes; the CDN then serves the bytes (and honours Range).
// - Small (non-LFS) files answer 200 directly, with ETag = "<git blob sha1>".
// - Both carry X-Repo-Commit, the commit the revision resolved to.
// - Errors carry X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound,
//   GatedRepo) and X-Error-Message.

export interface HubFileInfo {
  sha256?: string;
  gitSha1?: string;
  size?: number;
  commit?: string;
}

export function normalizeEtag(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const tag = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return tag || undefined;
}

/** Classifies an ETag value by its length: 64 hex = sha256, 40 hex = git blob sha1. */
export function digestFromEtag(raw: string | null): Pick<HubFileInfo, 'sha256' | 'gitSha1'> {
  const tag = normalizeEtag(raw);
  if (tag && /^[0-9a-f]{64}$/.test(tag)) return { sha256: tag };
  if (tag && /^[0-9a-f]{40}$/.test(tag)) return { gitSha1: tag };
  return {};
}

/** Metadata from one Hub response; X-Linked-* (the LFS object) wins over the response's own. */
export function readHubInfo(headers: Headers): HubFileInfo {
  const linked = digestFromEtag(headers.get('x-linked-etag'));
  const own = digestFromEtag(headers.get('etag'));
  const info: HubFileInfo = headers.get('x-linked-etag') ? linked : own;
  const size = parseSize(headers.get('x-linked-size'));
  if (size !== undefined) info.size = size;
  const commit = headers.get('x-repo-commit')?.trim();
  if (commit) info.commit = commit;
  return info;
}

/** Merges info from successive hops; earlier (hub) answers win over later (CDN) ones. */
export function mergeHubInfo(into: HubFileInfo, more: HubFileInfo): HubFileInfo {
  return { ...more, ...stripUndefined(into) };
}

function stripUndefined(o: HubFileInfo): HubFileInfo {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as HubFileInfo;
}

function parseSize(raw: string | null): number | undefined {
  if (!raw || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** Total size from `Content-Range: bytes a-b/total` (206) or `bytes * /total` (416). */
export function totalFromContentRange(raw: string | null): number | undefined {
  const m = raw?.match(/\/(\d+)\s*$/);
  return m ? Number(m[1]) : undefined;
}

/** Start offset from `Content-Range: bytes a-b/total`. */
export function startFromContentRange(raw: string | null): number | undefined {
  const m = raw?.match(/^\s*bytes\s+(\d+)-\d+\//i);
  return m ? Number(m[1]) : undefined;
}

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const base = endpoint.replace(/\/+$/, '');
  const encodedPath = file.split('/').map(encodeURIComponent).join('/');
  return `${base}/${repo}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}
