// Turns failed requests into WeightsErrors whose messages say what to do.
import { WeightsError } from './errors.ts';

export interface RequestContext {
  repo: string;
  revision: string;
  file: string;
  url: string;
  hasToken: boolean;
}

export function statusError(res: Response, ctx: RequestContext): WeightsError {
  const code = res.headers.get('x-error-code') ?? '';
  const hubMessage = res.headers.get('x-error-message');
  const detail = `(HTTP ${res.status} from ${ctx.url}${hubMessage ? `: ${hubMessage}` : ''})`;
  const opts = { file: ctx.file };
  if (code === 'RepoNotFound') {
    return new WeightsError(
      'not-found',
      `The repository ${ctx.repo} was not found ${detail}. Check the repo name and HF_ENDPOINT; a private repo also needs HF_TOKEN.`,
      opts,
    );
  }
  switch (res.status) {
    case 401:
      return ctx.hasToken
        ? new WeightsError(
            'auth',
            `The Hub rejected the token in HF_TOKEN while fetching ${ctx.file} from ${ctx.repo} ${detail}. Create a read token at https://huggingface.co/settings/tokens and set HF_TOKEN to it.`,
            opts,
          )
        : new WeightsError(
            'auth',
            `${ctx.repo} asks for authentication to fetch ${ctx.file} ${detail}. Set HF_TOKEN to a Hugging Face read token (https://huggingface.co/settings/tokens) and run again.`,
            opts,
          );
    case 403:
      return new WeightsError(
        'forbidden',
        code === 'GatedRepo' || /gated|restricted/i.test(hubMessage ?? '')
          ? `${ctx.repo} is gated ${detail}. Accept its terms at https://huggingface.co/${ctx.repo} with the account whose token is in HF_TOKEN, then run again.`
          : `Access to ${ctx.file} in ${ctx.repo} is forbidden ${detail}. ${ctx.hasToken ? 'The token in HF_TOKEN lacks read access to this repo.' : 'Set HF_TOKEN to a token with read access.'}`,
        opts,
      );
    case 404:
      return new WeightsError('not-found', notFoundMessage(code, ctx, detail), opts);
    default:
      return new WeightsError(
        'http',
        `Unexpected HTTP ${res.status} ${res.statusText} while fetching ${ctx.file} from ${ctx.url}${hubMessage ? `: ${hubMessage}` : ''}. If this persists, check HF_ENDPOINT or try again later.`,
        { ...opts, retryable: res.status === 408 || res.status === 429 || res.status >= 500 },
      );
  }
}

function notFoundMessage(code: string, ctx: RequestContext, detail: string): string {
  if (code === 'RevisionNotFound') {
    return `Revision ${ctx.revision} does not exist in ${ctx.repo} ${detail}. Use a commit, branch or tag of that repo (--revision / BGE_M3_REVISION), or leave it unset for the pinned revision.`;
  }
  return `${ctx.file} was not found at revision ${ctx.revision} of ${ctx.repo} ${detail}. Check the revision (--revision / BGE_M3_REVISION) and HF_ENDPOINT; the file must exist at that revision.`;
}

/** Maps a thrown fetch/stream error (not an HTTP status) to a WeightsError. */
export function networkError(err: unknown, ctx: { file: string; url: string }): WeightsError {
  if (err instanceof WeightsError) return err;
  const sysCode = errnoCode(err);
  const host = safeHost(ctx.url);
  const opts = { file: ctx.file, cause: err };
  if (sysCode === 'ENOTFOUND' || sysCode === 'EAI_AGAIN') {
    return new WeightsError(
      'offline',
      `Cannot reach ${host}: DNS lookup failed (${sysCode}). This machine looks offline, or HF_ENDPOINT names a host that does not exist. Check the network and proxy settings, point HF_ENDPOINT at a reachable mirror, or copy the weights in yourself and set BGE_M3_WEIGHTS=/that/dir.`,
      { ...opts, retryable: sysCode === 'EAI_AGAIN' },
    );
  }
  if (sysCode === 'ECONNREFUSED') {
    return new WeightsError(
      'network',
      `Connection refused by ${host} while fetching ${ctx.file}. Check HF_ENDPOINT (now ${originOf(ctx.url)}) and the network, then run again; the download resumes where it stopped.`,
      opts,
    );
  }
  const why = sysCode ?? (err as Error)?.message ?? String(err);
  return new WeightsError('network', `The connection to ${host} broke while fetching ${ctx.file} (${why}). Run again to resume from where it stopped.`, opts);
}

function errnoCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
