// The rules chunk_tokens and chunk_overlap add to input validation (issue #19): what the
// schema's own minimum and maximum cannot say.
import type { InputIssue } from '../errors.ts';

const DEFAULT_MAX_LENGTH = 8192;

export function chunkIssues(value: Record<string, unknown>): InputIssue[] {
  const tokens = value.chunk_tokens;
  const overlap = value.chunk_overlap;
  const maxLength = typeof value.max_length === 'number' ? value.max_length : DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(tokens) || !Number.isInteger(overlap)) return []; // the schema reports these
  const t = tokens as number;
  const o = overlap as number;
  const issue = (field: string, message: string): InputIssue[] => [{ field, loc: [field], type: 'value_error', message }];
  if (t === 0) {
    return o > 0
      ? issue('chunk_overlap', `chunk_overlap (${o}) needs chunk_tokens above 0: set chunk_tokens to the chunk size, or leave chunk_overlap out`)
      : [];
  }
  if (o >= t) return issue('chunk_overlap', `chunk_overlap (${o}) must be below chunk_tokens (${t}), or chunks would not advance: lower chunk_overlap`);
  if (t > maxLength - 2) {
    return issue(
      'chunk_tokens',
      `chunk_tokens (${t}) must be at most max_length - 2 (${Math.max(0, maxLength - 2)}): each chunk is embedded with <s> and </s> within max_length; lower chunk_tokens or raise max_length`,
    );
  }
  if (typeof value.colbert_pool_factor === 'number' && value.colbert_pool_factor > 1) {
    return issue(
      'colbert_pool_factor',
      `colbert_pool_factor (${value.colbert_pool_factor}) cannot be combined with chunk_tokens: a document's ColBERT rows are merged from its chunks' rows token by token, which pooled rows no longer are; set colbert_pool_factor to 1, or chunk_tokens to 0`,
    );
  }
  return [];
}
