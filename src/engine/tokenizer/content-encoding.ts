/**
 * The tokenizer pipeline run over a text chunk by chunk, stopping as soon as enough ids are
 * known: split out non-normalized added tokens -> normalize -> split out normalized added tokens
 * -> Metaspace words -> Unigram. Chunks end at safe cuts (text-cuts.ts); the state a cut can
 * interrupt is carried here: the open section and its pending Metaspace prepend, a trailing space
 * the `/ {2,}/ -> " "` step would merge with the next chunk's leading one, and the open word.
 * When the pipeline has a step that cannot be cut this way, the text is one chunk (the old,
 * whole-text behaviour).
 */
import type { AddedTokenSplitter } from './added-tokens.ts';
import type { TextNormalizer } from './text-normalizer.ts';
import { CutFinder, type CutToken } from './text-cuts.ts';
import type { MetaspaceOptions } from './tokenizer-json.ts';
import type { UnigramEncoder, WordSegmenter } from './unigram-encoder.ts';

export interface PipelineParts {
  rawSplitter: AddedTokenSplitter;
  normalizedSplitter: AddedTokenSplitter;
  normalize: TextNormalizer;
  /** The raw added tokens, for finding cuts; undefined when the text must be processed whole. */
  cutTokens?: readonly CutToken[];
  /** The normalizer ends by collapsing runs of spaces into one. */
  collapsesSpaces: boolean;
  metaspace: MetaspaceOptions;
  unigram: UnigramEncoder;
}

/** Where encodePieces cuts a text, and whether what follows is tokenized as a text of its own. */
export interface PieceCut {
  at: number;
  restart: boolean;
}

/** Raw characters per chunk: a few hundred tokens, so stopping early wastes little. */
export const CHUNK_CHARS = 1024;

/** Lone UTF-16 surrogates; the Rust library sees them as U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * Content ids of `text` (no special tokens around them), at least the first `limit` of them;
 * yields after each chunk so that a caller can pause between bounded amounts of work.
 */
export function* encodeContent(parts: PipelineParts, text: string, limit: number): Generator<void, number[]> {
  const ids: number[] = [];
  const run = new ContentRun(parts, ids);
  const cuts = parts.cutTokens ? new CutFinder(text, parts.cutTokens) : undefined;
  let position = 0;
  while (position < text.length && ids.length < limit) {
    const end = cuts ? cuts.next(position + CHUNK_CHARS) : text.length;
    run.chunk(text.slice(position, end), position, limit);
    position = end;
    if (position < text.length && ids.length < limit) yield;
  }
  if (ids.length < limit) run.finish();
  return ids;
}

/**
 * Content ids of `text` cut into pieces at `cuts` (ascending offsets), one array per piece, the
 * same ids as encodeContent's over the whole text provided every cut starts a word that nothing
 * before it can reach: a safe cut (text-cuts.ts) before a white space character that normalizes
 * to a space, after a character whose normalization neither is empty nor ends in a space (the
 * caller's promise; src/api/chunking checks it). The open word is ended at each cut, which the
 * space after it would do anyway. A cut with `restart` instead starts the rest of the text as a
 * text of its own (for a run with no such word start, which chunking must still cut somewhere;
 * the cut must be safe). Throws when the pipeline cannot be cut (BgeTokenizer checks).
 */
export function* encodePieces(parts: PipelineParts, text: string, cuts: Iterable<PieceCut>): Generator<number[], void> {
  if (!parts.cutTokens) throw new Error('encodePieces: this tokenizer must process a text whole');
  const ids: number[] = [];
  let run = new ContentRun(parts, ids);
  const finder = new CutFinder(text, parts.cutTokens);
  let position = 0;
  const piece = (end: number) => {
    while (position < end) {
      const next = end - position <= CHUNK_CHARS ? end : Math.min(finder.next(position + CHUNK_CHARS), end);
      run.chunk(text.slice(position, next), position, Number.POSITIVE_INFINITY);
      position = next;
    }
  };
  for (const cut of cuts) {
    piece(Math.min(cut.at, text.length));
    if (cut.restart) {
      run.finish();
      run = new ContentRun(parts, ids);
    } else {
      run.endWord();
    }
    yield ids.splice(0);
  }
  piece(text.length);
  run.finish();
  yield ids.splice(0);
}

class ContentRun {
  private readonly words: WordSegmenter;
  /** A section (text between raw added tokens) is open across the last cut. */
  private sectionOpen = false;
  /** The open section's normalized text so far ends with a space. */
  private endsWithSpace = false;
  /** The Metaspace prepend of the current section has not been decided yet (no text so far). */
  private prependPending = false;
  private atTextStart = false;

  constructor(
    private readonly parts: PipelineParts,
    private readonly ids: number[],
  ) {
    this.words = parts.unigram.wordSegmenter(ids);
  }

  /** Processes `raw`, which starts at `offset` in the text, until `limit` ids are known. */
  chunk(raw: string, offset: number, limit: number): void {
    for (const piece of this.parts.rawSplitter.split(raw.replace(LONE_SURROGATE, '\uFFFD'))) {
      if ('tokenId' in piece) {
        this.closeSection();
        this.ids.push(piece.tokenId);
      } else {
        if (!(piece.start === 0 && this.sectionOpen)) this.openSection(offset + piece.start === 0);
        this.sectionText(piece.text);
      }
      if (this.ids.length >= limit) return;
    }
  }

  finish(): void {
    this.closeSection();
  }

  /** Ends the open word (see encodePieces). */
  endWord(): void {
    this.words.end();
  }

  private openSection(atTextStart: boolean): void {
    this.words.end();
    this.sectionOpen = true;
    this.endsWithSpace = false;
    this.prependPending = true;
    this.atTextStart = atTextStart;
  }

  private closeSection(): void {
    this.words.end();
    this.sectionOpen = false;
  }

  private sectionText(raw: string): void {
    let normalized = this.parts.normalize(raw);
    if (this.parts.collapsesSpaces && this.endsWithSpace && normalized.startsWith(' ')) normalized = normalized.slice(1);
    if (normalized.length > 0) this.endsWithSpace = normalized.endsWith(' ');
    for (const sub of this.parts.normalizedSplitter.split(normalized)) {
      if ('tokenId' in sub) {
        this.words.end();
        this.ids.push(sub.tokenId);
        this.prependPending = true;
        this.atTextStart = false;
      } else {
        this.metaspace(sub.text);
      }
    }
  }

  /**
   * Metaspace with the Rust library's semantics: spaces become the replacement character, which
   * is prepended to a section per the scheme, and a new word starts before each replacement
   * character (with `split`); @huggingface/tokenizers ignores `split`.
   */
  private metaspace(fragment: string): void {
    if (fragment.length === 0) return;
    const { replacement, prependScheme, split } = this.parts.metaspace;
    let text = fragment.replaceAll(' ', replacement);
    if (this.prependPending) {
      const prepend = prependScheme === 'always' || (prependScheme === 'first' && this.atTextStart);
      if (prepend && !text.startsWith(replacement)) text = replacement + text;
      this.prependPending = false;
    }
    if (!split) {
      this.words.push(text);
      return;
    }
    let from = 0;
    for (let at = text.indexOf(replacement); at !== -1; at = text.indexOf(replacement, at + replacement.length)) {
      if (at > from) this.words.push(text.slice(from, at));
      this.words.end();
      from = at;
    }
    if (from < text.length) this.words.push(text.slice(from));
  }
}
