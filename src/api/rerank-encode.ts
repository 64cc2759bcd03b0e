// A rerank request's texts as <s> … </s> id sequences: documents first, the
// query last, under the length rules of the embed doors (refuse an over-long
// text, or truncate at either end on request), then each document cut to
// max_tokens_per_doc when the request sets one.
import type { Encoding } from '../engine/tokenizer/bge-tokenizer.ts';
import { encodeEmbedInputs, type TokenizerView } from './embed-request.ts';
import { EmbedInputError } from './errors.ts';
import { RerankInputError, type RerankRequest } from './rerank-request.ts';

type EncodeTexts = (texts: string[], maxLength: number) => Promise<Encoding[]>;

export interface RerankEncoding {
  documents: Encoding[];
  query: Encoding;
}

export async function encodeRerankTexts(tokenizer: TokenizerView, req: RerankRequest, encodeTexts: EncodeTexts): Promise<RerankEncoding> {
  const n = req.documents.length;
  let all: Encoding[];
  try {
    all = await encodeEmbedInputs(
      tokenizer,
      { inputs: [...req.documents, req.query], truncate: req.truncate, truncationDirection: req.truncationDirection, dense: true, sparse: true },
      encodeTexts,
    );
  } catch (e) {
    if (!(e instanceof EmbedInputError) || e.problem !== 'too_long') throw e;
    throw e.index === n ? new RerankInputError(e.message, 'query', 'too_long') : new RerankInputError(e.message, 'documents', 'too_long', e.index);
  }
  const documents = all.slice(0, n);
  const max = req.maxTokensPerDoc;
  return {
    documents: max === undefined ? documents : documents.map((e) => keepTokens(e, max, req.truncationDirection ?? 'right')),
    query: all[n],
  };
}

/** At most `max` content tokens of `e` (its head, or its tail for 'left'), between <s> and </s>. */
function keepTokens(e: Encoding, max: number, direction: 'left' | 'right'): Encoding {
  const content = e.ids.length - 2;
  if (content <= max) return e;
  const from = direction === 'left' ? e.ids.length - 1 - max : 1;
  return { ids: [e.ids[0], ...e.ids.slice(from, from + max), e.ids[e.ids.length - 1]], truncated: true };
}
