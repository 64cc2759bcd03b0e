// The per-request character limit (BGE_M3_MAX_REQUEST_CHARS), checked with the
// other input rules in input.ts, so the server (422) and the CLI both enforce it
// before any tokenization.
import { setting, SETTINGS, type Env } from '../settings.ts';
import type { InputIssue } from './errors.ts';

/** Default for BGE_M3_MAX_REQUEST_CHARS; why this number: see src/settings.ts. */
export const DEFAULT_MAX_REQUEST_CHARS = SETTINGS.BGE_M3_MAX_REQUEST_CHARS.default;

/** Most characters (UTF-16 code units) the texts and query of one prediction may hold together. */
export function maxRequestChars(env?: Env): number {
  return setting('BGE_M3_MAX_REQUEST_CHARS', env);
}

/** One issue at the text (or the query) where the running total first passes the limit. */
export function requestSizeIssues(value: Record<string, unknown>): InputIssue[] {
  const limit = maxRequestChars();
  const texts = Array.isArray(value.texts) ? value.texts : [];
  const parts: { loc: (string | number)[]; text: unknown }[] = [
    ...texts.map((text, i) => ({ loc: ['texts', i], text })),
    { loc: ['query'], text: value.query },
  ];
  let total = 0;
  for (const { loc, text } of parts) {
    if (typeof text !== 'string') continue;
    total += text.length;
    if (total > limit) {
      const where = loc.length === 2 ? `texts[${loc[1]}]` : 'query';
      return [
        {
          field: String(loc[0]),
          loc,
          type: 'value_error.any_str.max_length',
          message: `${where} brings the request to ${total} characters, over the limit of ${limit} characters per request (BGE_M3_MAX_REQUEST_CHARS); send fewer or shorter texts per request`,
        },
      ];
    }
  }
  return [];
}
