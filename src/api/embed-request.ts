// Embedding requests of the OpenAI and TEI doors: texts or token-id arrays,
// turned into the model's <s> … </s> id sequences with the length rules those
// protocols have (refuse an over-long input, or truncate on request, at either
// end). The Predictor runs the result through its one scheduler.
import type { LexicalWeights } from '../engine/heads/lexical.ts';
import { MAX_POSITION_TOKENS } from '../engine/model-facts.ts';
import type { Encoding } from '../engine/tokenizer/bge-tokenizer.ts';
import { EmbedInputError } from './errors.ts';

/** Tokens per input, counting <s> and </s>: BGE-M3's position limit. */
export const MAX_INPUT_TOKENS = MAX_POSITION_TOKENS;

export type EmbedInput = string | readonly number[];

export interface EmbedRequest {
  inputs: readonly EmbedInput[];
  /** Over-long inputs: false refuses them (EmbedInputError), true keeps MAX_INPUT_TOKENS. */
  truncate: boolean;
  /** Which end loses tokens when truncating; default right (keep the head). */
  truncationDirection?: 'left' | 'right';
  dense: boolean;
  sparse: boolean;
  /** Refuse the request when its inputs hold more tokens than this in total. */
  maxTotalTokens?: number;
}

export interface EmbedResult {
  /** Tokens each input was embedded with, counting <s> and </s>. */
  tokenCounts: number[];
  truncated: boolean[];
  dense?: number[][];
  sparse?: LexicalWeights[];
}

export interface TokenizerView {
  readonly vocabSize: number;
  encode(text: string, maxLength: number): Encoding;
}

type EncodeTexts = (texts: string[], maxLength: number) => Promise<Encoding[]>;

/** Every input as <s> … </s> ids, in input order, after the length rules. */
export async function encodeEmbedInputs(tokenizer: TokenizerView, req: EmbedRequest, encodeTexts: EncodeTexts): Promise<Encoding[]> {
  const [cls, sep] = tokenizer.encode('', 2).ids;
  const left = req.truncationDirection === 'left';
  const texts = req.inputs.filter((x): x is string => typeof x === 'string');
  // Keeping the tail needs every token; keeping the head only the first MAX_INPUT_TOKENS + 1.
  const encodedTexts = await encodeTexts(texts, left ? Number.MAX_SAFE_INTEGER : MAX_INPUT_TOKENS);
  let next = 0;
  const out = req.inputs.map((input, index) => {
    const content = typeof input === 'string' ? encodedTexts[next++].ids.slice(1, -1) : idContent(input, index, tokenizer.vocabSize, cls, sep);
    const head = typeof input === 'string' && !left ? encodedTexts[next - 1] : undefined;
    return fit(content, head?.truncated ?? false, index, req, cls, sep);
  });
  const total = out.reduce((n, e) => n + e.ids.length, 0);
  if (req.maxTotalTokens !== undefined && total > req.maxTotalTokens) {
    throw new EmbedInputError(
      `the inputs hold ${total} tokens in total, more than the ${req.maxTotalTokens} one request may hold; send them over several requests`,
      'too_many_tokens',
      null,
    );
  }
  return out;
}

/** A token-id array's content ids: a leading <s> and trailing </s> are optional. */
function idContent(ids: readonly number[], index: number, vocabSize: number, cls: number, sep: number): number[] {
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
  if (bad >= 0) {
    throw new EmbedInputError(
      `token id ${JSON.stringify(ids[bad])} at position ${bad} is not in this model's vocabulary (0 to ${vocabSize - 1})`,
      'bad_token_id',
      index,
    );
  }
  const start = ids[0] === cls ? 1 : 0;
  const end = ids.length > start && ids[ids.length - 1] === sep ? ids.length - 1 : ids.length;
  return ids.slice(start, end);
}

/** Applies the limit: refuse, or keep the head or tail. `cut` = content beyond what `content` holds was already dropped. */
function fit(content: number[], cut: boolean, index: number, req: EmbedRequest, cls: number, sep: number): Encoding {
  const keep = MAX_INPUT_TOKENS - 2;
  const tooLong = cut || content.length > keep;
  if (tooLong && !req.truncate) {
    const length = cut ? `more than ${MAX_INPUT_TOKENS} tokens` : `${content.length + 2} tokens`;
    throw new EmbedInputError(`it has ${length} (counting <s> and </s>), over the limit of ${MAX_INPUT_TOKENS} tokens per input`, 'too_long', index);
  }
  const kept = !tooLong ? content : req.truncationDirection === 'left' ? content.slice(content.length - keep) : content.slice(0, keep);
  return { ids: [cls, ...kept, sep], truncated: tooLong };
}
