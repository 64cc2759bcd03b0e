/**
 * The BGE-M3 (XLM-RoBERTa) tokenizer: reads a Hugging Face tokenizer.json and produces the same
 * ids as the Rust `tokenizers` library with `add_special_tokens=true`, plus truncation.
 *
 * Pipeline, per the Rust library: split out non-normalized added tokens -> normalize each
 * remaining piece (our Precompiled charsmap, then the library's other normalizers) -> split
 * out normalized added tokens -> Metaspace words -> Unigram per word -> <s> ids </s>.
 * content-encoding.ts runs it chunk by chunk and stops once `maxLength` is reached.
 */
import { readFile } from 'node:fs/promises';
import { AddedTokenSplitter } from './added-tokens.ts';
import { encodeContent, encodePieces, type PieceCut, type PipelineParts } from './content-encoding.ts';
import { decodeSingleToken } from './metaspace.ts';
import { buildTextNormalizer, type TextNormalizer } from './text-normalizer.ts';
import { parseTokenizerJson, type MetaspaceOptions, type NormalizerStep, type TokenizerSpec } from './tokenizer-json.ts';
import { UnigramEncoder } from './unigram-encoder.ts';

export interface Encoding {
  ids: number[];
  truncated: boolean;
}

export class BgeTokenizer {
  /** Number of ids, including the special tokens. */
  readonly vocabSize: number;
  private readonly normalize: TextNormalizer;
  private readonly unigram: UnigramEncoder;
  private readonly parts: PipelineParts;
  private readonly addedTokenText = new Map<number, string>();
  private readonly decoder: MetaspaceOptions;
  private readonly clsId: number;
  private readonly sepId: number;

  private constructor(spec: TokenizerSpec) {
    this.normalize = buildTextNormalizer(spec.normalizerSteps);
    this.unigram = new UnigramEncoder(spec.vocab, spec.unkId);
    const matchable = spec.addedTokens.map((token) => ({
      ...token,
      pattern: token.normalized ? this.normalize(token.content) : token.content,
    }));
    const raw = matchable.filter((token) => !token.normalized);
    const normalized = matchable.filter((token) => token.normalized);
    const cuttable = normalized.length === 0 && spec.preTokenizer.split && cuttableNormalizer(spec.normalizerSteps);
    this.parts = {
      rawSplitter: new AddedTokenSplitter(raw),
      normalizedSplitter: new AddedTokenSplitter(normalized),
      normalize: this.normalize,
      cutTokens: cuttable ? raw : undefined,
      collapsesSpaces: spec.normalizerSteps.some(isSpaceCollapse),
      metaspace: spec.preTokenizer,
      unigram: this.unigram,
    };
    for (const token of spec.addedTokens) this.addedTokenText.set(token.id, token.content);
    this.decoder = spec.decoder;
    this.clsId = spec.clsId;
    this.sepId = spec.sepId;
    this.vocabSize = spec.addedTokens.reduce((size, token) => Math.max(size, token.id + 1), this.unigram.size);
  }

  static async fromFile(tokenizerJsonPath: string): Promise<BgeTokenizer> {
    let text: string;
    try {
      text = await readFile(tokenizerJsonPath, 'utf8');
    } catch (error) {
      throw new Error(`cannot read tokenizer file ${tokenizerJsonPath}: ${(error as Error).message}`);
    }
    try {
      return BgeTokenizer.fromJson(JSON.parse(text));
    } catch (error) {
      throw new Error(`${tokenizerJsonPath}: ${(error as Error).message}`);
    }
  }

  /** Builds a tokenizer from an already parsed tokenizer.json object. */
  static fromJson(json: unknown): BgeTokenizer {
    return new BgeTokenizer(parseTokenizerJson(json));
  }

  /** [cls] + ids[:maxLength-2] + [sep]; for maxLength < 3 only [cls, sep]. truncated = content tokens were dropped. */
  encode(text: string, maxLength: number): Encoding {
    const steps = this.encodeSteps(text, maxLength);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `encode` in steps: each `next()` does a bounded amount of work (one chunk of the text) and
   * the generator returns the Encoding, so a caller can give the event loop a turn in between.
   * Only as much of the text is read as the first maxLength - 2 tokens (plus one, to know
   * whether anything was cut) need.
   */
  *encodeSteps(text: string, maxLength: number): Generator<void, Encoding> {
    if (typeof text !== 'string') throw new TypeError(`encode: text must be a string, got ${typeof text}`);
    if (!Number.isInteger(maxLength)) throw new RangeError(`encode: maxLength must be an integer, got ${maxLength}`);
    const keep = Math.max(0, maxLength - 2);
    // One id past the limit is enough to know that truncation happened.
    const content = yield* encodeContent(this.parts, text, keep + 1);
    return { ids: [this.clsId, ...content.slice(0, keep), this.sepId], truncated: content.length > keep };
  }

  /**
   * Content ids of `text` piece by piece, cut at `cuts` (see encodePieces for the cuts it may
   * be given); undefined when this tokenizer's normalizer cannot be cut.
   */
  contentPieces(text: string, cuts: Iterable<PieceCut>): Generator<number[], void> | undefined {
    return this.parts.cutTokens ? encodePieces(this.parts, text, cuts) : undefined;
  }

  /** The normalizer's output for one grapheme cluster (or any text it handles whole). */
  normalizeText(text: string): string {
    return this.normalize(text);
  }

  /** The added tokens' texts as matched in raw text, and whether each swallows white space after it. */
  get rawAddedTokens(): readonly { pattern: string; rstrip: boolean }[] {
    return this.parts.cutTokens ?? [];
  }

  /** What FlagEmbedding's convert_id_to_token shows: tokenizer.decode([id]) ("▁What" -> "What"). */
  tokenText(id: number): string {
    const piece = this.addedTokenText.get(id) ?? this.unigram.piece(id);
    if (piece === undefined) throw new RangeError(`tokenText: id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    return decodeSingleToken(piece, this.decoder);
  }
}

/**
 * Whether chunks of text can be normalized one by one: Precompiled steps (per grapheme cluster)
 * followed only by space-run collapsing, whose one cross-chunk effect content-encoding.ts handles.
 */
function cuttableNormalizer(steps: readonly NormalizerStep[]): boolean {
  const firstCollapse = steps.findIndex(isSpaceCollapse);
  return steps.every((step, i) => (firstCollapse === -1 || i < firstCollapse ? step.kind === 'precompiled' : isSpaceCollapse(step)));
}

/** Replace(/ {2,}/ -> " "), the step XLM-R tokenizers add after Precompiled. */
function isSpaceCollapse(step: NormalizerStep): boolean {
  if (step.kind !== 'library' || step.config.type !== 'Replace' || step.config.content !== ' ') return false;
  const pattern = step.config.pattern as { Regex?: unknown } | undefined;
  return pattern?.Regex === ' {2,}';
}
