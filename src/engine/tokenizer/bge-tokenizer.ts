/**
 * The BGE-M3 (XLM-RoBERTa) tokenizer: reads a Hugging Face tokenizer.json and produces the same
 * ids as the Rust `tokenizers` library with `add_special_tokens=true`, plus truncation.
 *
 * Pipeline, per the Rust library: split out non-normalized added tokens -> normalize each
 * remaining piece (our Precompiled charsmap, then the library's other normalizers) -> split
 * out normalized added tokens -> Metaspace words -> Unigram per word -> <s> ids </s>.
 */
import { readFile } from "node:fs/promises";
import { AddedTokenSplitter, type Piece } from "./added-tokens.ts";
import { decodeSingleToken, metaspaceWords } from "./metaspace.ts";
import { buildTextNormalizer, type TextNormalizer } from "./text-normalizer.ts";
import { parseTokenizerJson, type MetaspaceOptions, type TokenizerSpec } from "./tokenizer-json.ts";
import { UnigramEncoder } from "./unigram-encoder.ts";

export interface Encoding {
  ids: number[];
  truncated: boolean;
}

/** Lone UTF-16 surrogates; the Rust library sees them as U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/gu;

export class BgeTokenizer {
  /** Number of ids, including the special tokens. */
  readonly vocabSize: number;
  private readonly normalize: TextNormalizer;
  private readonly rawSplitter: AddedTokenSplitter;
  private readonly normalizedSplitter: AddedTokenSplitter;
  private readonly unigram: UnigramEncoder;
  private readonly addedTokenText = new Map<number, string>();
  private readonly preTokenizer: MetaspaceOptions;
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
    this.rawSplitter = new AddedTokenSplitter(matchable.filter((token) => !token.normalized));
    this.normalizedSplitter = new AddedTokenSplitter(matchable.filter((token) => token.normalized));
    for (const token of spec.addedTokens) this.addedTokenText.set(token.id, token.content);
    this.preTokenizer = spec.preTokenizer;
    this.decoder = spec.decoder;
    this.clsId = spec.clsId;
    this.sepId = spec.sepId;
    this.vocabSize = spec.addedTokens.reduce((size, token) => Math.max(size, token.id + 1), this.unigram.size);
  }

  static async fromFile(tokenizerJsonPath: string): Promise<BgeTokenizer> {
    let text: string;
    try {
      text = await readFile(tokenizerJsonPath, "utf8");
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
    if (typeof text !== "string") throw new TypeError(`encode: text must be a string, got ${typeof text}`);
    if (!Number.isInteger(maxLength)) throw new RangeError(`encode: maxLength must be an integer, got ${maxLength}`);
    const keep = Math.max(0, maxLength - 2);
    // One id past the limit is enough to know that truncation happened.
    const content = this.contentIds(text, keep + 1);
    return { ids: [this.clsId, ...content.slice(0, keep), this.sepId], truncated: content.length > keep };
  }

  /** What FlagEmbedding's convert_id_to_token shows: tokenizer.decode([id]) ("▁What" -> "What"). */
  tokenText(id: number): string {
    const piece = this.addedTokenText.get(id) ?? this.unigram.piece(id);
    if (piece === undefined) throw new RangeError(`tokenText: id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
    return decodeSingleToken(piece, this.decoder);
  }

  /** Content ids (no special tokens around them); stops early once `limit` ids are reached. */
  private contentIds(text: string, limit: number): number[] {
    const ids: number[] = [];
    for (const piece of this.rawSplitter.split(text.replace(LONE_SURROGATE, "\uFFFD"))) {
      if ("tokenId" in piece) {
        ids.push(piece.tokenId);
      } else {
        this.encodeSection(piece, ids, limit);
      }
      if (ids.length >= limit) break;
    }
    return ids;
  }

  private encodeSection(piece: Extract<Piece, { text: string }>, ids: number[], limit: number): void {
    const subPieces = this.normalizedSplitter.split(this.normalize(piece.text));
    for (const [index, sub] of subPieces.entries()) {
      if ("tokenId" in sub) {
        ids.push(sub.tokenId);
        continue;
      }
      const atTextStart = piece.start === 0 && index === 0;
      for (const word of metaspaceWords(sub.text, this.preTokenizer, atTextStart)) {
        this.unigram.encodeWord(word, ids);
        if (ids.length >= limit) return;
      }
    }
  }
}
