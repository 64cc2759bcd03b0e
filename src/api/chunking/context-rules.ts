// What chunk_context and dense_pooling add to input validation: the
// combinations with chunk_tokens that cannot be served.
import type { InputIssue } from '../errors.ts';

export function contextIssues(value: Record<string, unknown>): InputIssue[] {
  const chunking = typeof value.chunk_tokens === 'number' && value.chunk_tokens > 0;
  const issue = (field: string, message: string): InputIssue[] => [{ field, loc: [field], type: 'value_error', message }];
  if (value.chunk_context === 'document' && !chunking) {
    return issue(
      'chunk_context',
      'chunk_context "document" gives chunks their outputs from the whole document, and needs chunk_tokens above 0 to make chunks: set chunk_tokens to the chunk size, or leave chunk_context out',
    );
  }
  if (value.dense_pooling === 'mcls' && chunking) {
    return issue(
      'dense_pooling',
      'dense_pooling "mcls" pools one dense vector over a whole text, and cannot be combined with chunk_tokens, where each chunk has its own dense vector and the document its merge of them: set dense_pooling to "cls", or chunk_tokens to 0',
    );
  }
  return [];
}
