/**
 * Tokens with the stretch of the input each came from, as the Rust library's Encoding offsets
 * (what TEI's /tokenize reports), and tokenizer.decode(). Built from the same tokenizer.json
 * and the same building blocks as BgeTokenizer (added-token splitting, Metaspace words, Unigram
 * pieces), with alignments carried through normalization (aligned-normalizer.ts). Offsets are
 * UTF-16 indices into the input; lone surrogates count as the U+FFFD the tokenizer sees.
 *
 * Loaded on first use by the Predictor: it holds a second Unigram model.
 */
import { readFile } from 'node:fs/promises';
import { AddedTokenSplitter, type Piece } from './added-tokens.ts';
import { buildAlignedNormalizer, identityAligned, type AlignedText, type Range } from './aligned-normalizer.ts';
import { createUnigramModel, type UnigramModel } from './hf-tokenizers-js.ts';
import { metaspaceWords } from './metaspace.ts';
import { parseTokenizerJson, type AddedTokenSpec, type TokenizerSpec } from './tokenizer-json.ts';

export interface TokenSpan {
  id: number;
  /** True for the <s> and </s> the post-processor adds; those have no offsets, but their `token` text. */
  special: boolean;
  token?: string;
  /** [start, stop) in UTF-16 units of the input; absent on added special tokens. */
  start?: number;
  stop?: number;
}

const LONE_SURROGATE = /\p{Cs}/gu;
const WHITE_SPACE = /^\p{White_Space}$/u;

type Section = { text: string; start: number } | { tokenId: number; start: number; stop: number };

export class TokenSpans {
  readonly vocabSize: number;
  private readonly normalize: (input: AlignedText) => AlignedText;
  private readonly rawSplitter: AddedTokenSplitter;
  private readonly normalizedSplitter: AddedTokenSplitter;
  private readonly addedById = new Map<number, AddedTokenSpec & { pattern: string }>();
  private readonly specialIds = new Set<number>();
  private readonly unigram: UnigramModel;

  private constructor(
    private readonly spec: TokenizerSpec,
    specialContents: ReadonlySet<string>,
  ) {
    this.normalize = buildAlignedNormalizer(spec.normalizerSteps);
    const plain = buildAlignedNormalizer(spec.normalizerSteps);
    const matchable = spec.addedTokens.map((t) => ({ ...t, pattern: t.normalized ? plain(identityAligned(t.content, 0)).text : t.content }));
    this.rawSplitter = new AddedTokenSplitter(matchable.filter((t) => !t.normalized));
    this.normalizedSplitter = new AddedTokenSplitter(matchable.filter((t) => t.normalized));
    for (const t of matchable) {
      this.addedById.set(t.id, t);
      if (specialContents.has(t.content)) this.specialIds.add(t.id);
    }
    this.unigram = createUnigramModel({ type: 'Unigram', unk_id: spec.unkId, vocab: spec.vocab });
    this.unigram.scores[spec.unkId] = spec.vocab[spec.unkId][1];
    this.vocabSize = spec.addedTokens.reduce((size, t) => Math.max(size, t.id + 1), spec.vocab.length);
  }

  static async fromFile(tokenizerJsonPath: string): Promise<TokenSpans> {
    return TokenSpans.fromJson(JSON.parse(await readFile(tokenizerJsonPath, 'utf8')));
  }

  static fromJson(json: unknown): TokenSpans {
    const raw = (json as { added_tokens?: { content?: unknown; special?: unknown }[] }).added_tokens ?? [];
    const special = new Set(raw.filter((t) => t.special === true).map((t) => String(t.content)));
    return new TokenSpans(parseTokenizerJson(json), special);
  }

  /** Every token of `text` (no truncation), with <s> and </s> when addSpecialTokens. */
  encode(text: string, addSpecialTokens: boolean): TokenSpan[] {
    const out: TokenSpan[] = [];
    if (addSpecialTokens) out.push({ id: this.spec.clsId, special: true, token: this.piece(this.spec.clsId) });
    for (const section of this.sections(text.replace(LONE_SURROGATE, '\uFFFD'), this.rawSplitter, 0)) {
      if ('tokenId' in section) out.push({ id: section.tokenId, special: false, start: section.start, stop: section.stop });
      else this.encodeSection(section, out);
    }
    if (addSpecialTokens) out.push({ id: this.spec.sepId, special: true, token: this.piece(this.spec.sepId) });
    return out;
  }

  /** tokenizer.decode(ids, skip_special_tokens) of the Rust library: Metaspace decoding of the pieces. */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string {
    const { replacement, prependScheme } = this.spec.decoder;
    let out = '';
    let first = true;
    for (const id of ids) {
      if (skipSpecialTokens && this.specialIds.has(id)) continue;
      const piece = this.piece(id);
      if (piece === undefined) throw new RangeError(`token id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`);
      let text = piece.replaceAll(replacement, ' ');
      if (first && prependScheme !== 'never' && text.startsWith(' ')) text = text.slice(1);
      first = false;
      out += text;
    }
    return out;
  }

  /**
   * Whether a content token begins a word of its own: its piece starts with the Metaspace
   * replacement character (a space or a section start before it), or it is an added token
   * matched in the text (not the model's <unk>). Text cut before such a token tokenizes on
   * each side as it did whole, unless odd offsets say otherwise (src/api/chunking checks).
   */
  startsWord(id: number): boolean {
    if (id === this.spec.unkId) return false;
    if (this.addedById.has(id)) return true;
    return this.unigram.vocab[id]?.startsWith(this.spec.preTokenizer.replacement) ?? false;
  }

  private piece(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? (Number.isInteger(id) ? this.unigram.vocab[id] : undefined);
  }

  private encodeSection(section: { text: string; start: number }, out: TokenSpan[]): void {
    const normalized = this.normalize(identityAligned(section.text, section.start));
    for (const sub of this.sections(normalized.text, this.normalizedSplitter, 0)) {
      if ('tokenId' in sub) {
        out.push({ id: sub.tokenId, special: false, ...spanOf(normalized.ranges.slice(sub.start, sub.stop)) });
        continue;
      }
      const ranges = normalized.ranges.slice(sub.start, sub.start + sub.text.length);
      const atTextStart = section.start === 0 && sub.start === 0;
      this.encodeWords(sub.text, ranges, atTextStart, out);
    }
  }

  /** Metaspace words, then Unigram pieces, each mapped back through `ranges`. */
  private encodeWords(text: string, ranges: Range[], atTextStart: boolean, out: TokenSpan[]): void {
    const words = metaspaceWords(text, this.spec.preTokenizer, atTextStart);
    if (words.length === 0) return;
    // The prepended replacement character (if any) takes the first character's range.
    const prepended = words.join('').length - text.length;
    const unitRanges = prepended > 0 ? [...Array<Range>(prepended).fill(ranges[0]), ...ranges] : ranges;
    let at = 0;
    for (const word of words) {
      for (const { id, length } of this.pieces(word)) {
        out.push({ id, special: false, ...spanOf(unitRanges.slice(at, at + length)) });
        at += length;
      }
    }
  }

  /** Unigram pieces of one word, consecutive unknowns fused into one <unk> (unigram-encoder.ts). */
  private pieces(word: string): { id: number; length: number }[] {
    const out: { id: number; length: number }[] = [];
    let previousWasUnk = false;
    for (const piece of this.unigram.tokenize(word)) {
      const id = this.unigram.tokens_to_ids.get(piece) ?? this.spec.unkId;
      const isUnk = id === this.spec.unkId;
      if (isUnk && previousWasUnk) out[out.length - 1].length += piece.length;
      else out.push({ id, length: piece.length });
      previousWasUnk = isUnk;
    }
    return out;
  }

  /** AddedTokenSplitter's pieces with the range of each token piece. */
  private sections(text: string, splitter: AddedTokenSplitter, base: number): Section[] {
    const out: Section[] = [];
    let cursor = 0;
    for (const piece of splitter.split(text) as Piece[]) {
      if ('text' in piece) {
        out.push({ text: piece.text, start: base + piece.start });
        cursor = piece.start + piece.text.length;
        continue;
      }
      const token = this.addedById.get(piece.tokenId)!;
      let stop = cursor;
      if (token.lstrip) while (stop < text.length && WHITE_SPACE.test(text[stop]) && !text.startsWith(token.pattern, stop)) stop++;
      stop += token.pattern.length;
      if (token.rstrip) while (stop < text.length && WHITE_SPACE.test(text[stop])) stop++;
      out.push({ tokenId: piece.tokenId, start: base + cursor, stop: base + stop });
      cursor = stop;
    }
    return out;
  }
}

/** The union of the original ranges of a token's units (Rust's expand_alignments). */
function spanOf(ranges: readonly Range[]): { start: number; stop: number } {
  let start = Infinity;
  let stop = -Infinity;
  for (const [s, e] of ranges) {
    if (s < start) start = s;
    if (e > stop) stop = e;
  }
  return ranges.length ? { start, stop } : { start: 0, stop: 0 };
}
