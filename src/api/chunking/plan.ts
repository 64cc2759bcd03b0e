// The chunk planner (issue #19): cuts a text into windows of at most chunkTokens content tokens,
// each starting and ending where a word starts, so that the chunk's own text tokenizes to exactly
// its tokens. Most cuts are piece cuts (token-stream.ts), where that holds by construction. A cut
// elsewhere (a word start inside a long piece) is placed from the Rust library's offsets, which
// are not always where the characters are (after a character that normalization drops, a stretch
// can be off by one), so such a chunk is checked: its text is tokenized again, and one whose text
// does not give its tokens is moved to another nearby cut, or marked cut: 'token'.
import type { BgeTokenizer } from '../../engine/tokenizer/bge-tokenizer.ts';
import type { TokenSpans } from '../../engine/tokenizer/token-spans.ts';
import { addOffsets, CodePointCursor, streamTokens, type StreamToken } from './token-stream.ts';
import type { ChunkOptions, ChunkPlan } from './types.ts';

export interface ChunkTokenizers {
  spans: TokenSpans;
  tokenizer: BgeTokenizer;
}

/** Earlier word starts tried as a chunk's end when its text does not tokenize back to its tokens. */
const END_RETRIES = 3;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * The chunks of `text`, in order. Holds the tokens of the current window and of the block being
 * read, never the whole text's.
 *  - A chunk ends before the last word start within chunkTokens tokens of its start (or at the
 *    text's end); with no word start there, after exactly chunkTokens tokens (cut: 'token').
 *  - The next chunk starts at the first word start at or after (end - chunkOverlap), so
 *    neighbours share at most chunkOverlap tokens; in a stretch without word starts, exactly there.
 *  - Character spans tile the text: the first starts at 0, the last ends at its end, and a chunk
 *    that starts where the previous one ended starts at the same character.
 */
export function* planChunks(text: string, options: ChunkOptions, tokenizers: ChunkTokenizers): Generator<ChunkPlan> {
  const { chunkTokens, chunkOverlap } = options;
  if (!(Number.isInteger(chunkTokens) && chunkTokens >= 1)) throw new RangeError(`planChunks: chunkTokens must be a positive integer, got ${chunkTokens}`);
  if (!(Number.isInteger(chunkOverlap) && chunkOverlap >= 0 && chunkOverlap < chunkTokens)) {
    throw new RangeError(`planChunks: chunkOverlap must be an integer in [0, chunkTokens), got ${chunkOverlap}`);
  }
  const [cls, sep] = tokenizers.tokenizer.encode('', 2).ids;
  const window = new TokenWindow(streamTokens(tokenizers, text));
  const cuts = new CutPositions(text, window, tokenizers.spans);
  const points = new CodePointCursor(text);
  let start = 0;
  for (let index = 0; ; index++) {
    window.fill(start + chunkTokens + 1);
    const total = window.known;
    let ends: number[];
    if (window.done && start + chunkTokens >= total) ends = [total];
    else ends = window.wordStartsDown(start + chunkTokens, start + 1, END_RETRIES + 1);
    const chosen = choose(text, tokenizers.tokenizer, window, cuts, start, ends, [cls, sep]);
    const end = chosen?.end ?? ends[0] ?? start + chunkTokens;
    const startAt = chosen?.startAt ?? cuts.fix(start, cuts.candidates(start)[0]);
    const endAt = chosen?.endAt ?? cuts.fix(end, cuts.candidates(end, true)[0]);
    yield {
      index,
      tokenStart: start,
      tokenEnd: end,
      start: points.at(startAt),
      end: points.at(endAt),
      cut: chosen ? 'word' : 'token',
      ids: [cls, ...window.ids(start, end), sep],
    };
    if (end >= total && window.done) return;
    const target = Math.max(end - chunkOverlap, start + 1);
    const next = window.firstWordStart(target, end);
    start = next ?? (window.isWordStart(end) ? end : target);
    window.dropBefore(start - 1); // the token before a start places its cut
    cuts.dropBefore(start);
  }
}

/** The first (end, positions) whose text tokenizes back to exactly the chunk's ids; undefined if none. */
function choose(
  text: string,
  tokenizer: BgeTokenizer,
  window: TokenWindow,
  cuts: CutPositions,
  start: number,
  ends: number[],
  [cls, sep]: number[],
): { end: number; startAt: number; endAt: number } | undefined {
  if (!window.isWordStart(start)) return undefined;
  // Both ends at piece cuts: the chunk's text is whole pieces, whose ids are the text's (token-stream.ts).
  const exactStart = cuts.exact(start);
  const exactEnd = exactStart === undefined ? undefined : cuts.exact(ends[0] ?? -1, true);
  if (exactStart !== undefined && exactEnd !== undefined) return { end: ends[0], startAt: cuts.fix(start, exactStart), endAt: cuts.fix(ends[0], exactEnd) };
  for (const end of ends) {
    const expected = [cls, ...window.ids(start, end), sep];
    for (const startAt of cuts.candidates(start)) {
      for (const endAt of cuts.candidates(end, true)) {
        if (endAt < startAt) continue;
        const ids = tokenizer.encode(text.slice(startAt, endAt), expected.length + 1).ids;
        if (sameIds(ids, expected)) return { end, startAt: cuts.fix(start, startAt), endAt: cuts.fix(end, endAt) };
      }
    }
  }
  return undefined;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The tokens from the current chunk's start on, read a block at a time. */
class TokenWindow {
  private tokens: StreamToken[] = [];
  /** Token index of tokens[0]. */
  private base = 0;
  done = false;

  constructor(private readonly blocks: Iterator<StreamToken[]>) {}

  /** Tokens known so far (all of them once done). */
  get known(): number {
    return this.base + this.tokens.length;
  }

  /** Reads blocks until `count` tokens are known or the text ends. */
  fill(count: number): void {
    while (!this.done && this.known < count) {
      const next = this.blocks.next();
      if (next.done) this.done = true;
      else for (const t of next.value) this.tokens.push(t);
    }
  }

  token(i: number): StreamToken | undefined {
    return i >= this.base ? this.tokens[i - this.base] : undefined;
  }

  /** The tokens of `piece`, undefined where they are no longer held. */
  pieceTokens(piece: StreamToken['piece']): (StreamToken | undefined)[] {
    return Array.from({ length: piece.tokens }, (_, k) => this.token(piece.firstToken + k));
  }

  ids(from: number, to: number): number[] {
    return this.tokens.slice(from - this.base, to - this.base).map((t) => t.id);
  }

  /** Token 0, the text's end, or a token that starts a word. */
  isWordStart(i: number): boolean {
    if (i === 0 || (this.done && i >= this.known)) return true;
    return this.token(i)?.wordStart ?? false;
  }

  /** Up to `limit` word starts in [low, high], from high down. */
  wordStartsDown(high: number, low: number, limit: number): number[] {
    const out: number[] = [];
    for (let i = Math.min(high, this.known); i >= low && out.length < limit; i--) if (this.isWordStart(i)) out.push(i);
    return out;
  }

  firstWordStart(low: number, below: number): number | undefined {
    for (let i = low; i < below; i++) if (this.isWordStart(i)) return i;
    return undefined;
  }

  dropBefore(i: number): void {
    const drop = Math.min(i - this.base, this.tokens.length);
    if (drop < 1024 && drop < this.tokens.length / 2) return; // splice in bulk, not per chunk
    this.tokens = this.tokens.slice(drop);
    this.base += drop;
  }
}

/**
 * Where in the text (UTF-16) the cut before token i may go, best first: the first grapheme
 * boundary after the previous token's offsets, the start of the white space before the token,
 * and the token's own start offset. Once a chunk has used a cut, later chunks use the same one.
 */
class CutPositions {
  private readonly fixed = new Map<number, number>();

  constructor(
    private readonly text: string,
    private readonly window: TokenWindow,
    private readonly spans: TokenSpans,
  ) {}

  /** Where the cut before token i is known exactly: the text's start and end, and the start of a piece. */
  exact(i: number, asEnd = false): number | undefined {
    if (this.fixed.has(i)) return this.fixed.get(i);
    if (asEnd && this.window.done && i >= this.window.known) return this.text.length;
    if (i === 0) return 0;
    return this.window.token(i)?.cutAt;
  }

  /** `asEnd`: for a chunk's end (the text's end once all tokens are read); else for its start. */
  candidates(i: number, asEnd = false): number[] {
    const exact = this.exact(i, asEnd);
    if (exact !== undefined) return [exact];
    const token = this.window.token(i);
    if (token === undefined) throw new Error(`planChunks: token ${i} is not in the window`);
    if (token.start === undefined) addOffsets(this.spans, this.text, this.window.pieceTokens(token.piece), false);
    // A token without a cut of its own is not its piece's first: the one before it is in the same piece.
    const start = token.start!;
    const low = Math.min(this.window.token(i - 1)?.stop ?? start, start);
    const out: number[] = [];
    const boundary = this.graphemeBoundaryFrom(low, start);
    if (boundary !== undefined) out.push(boundary);
    let space = start;
    while (space > low && /^\p{White_Space}$/u.test(this.text[space - 1])) space--;
    out.push(space, start);
    return [...new Set(out)];
  }

  fix(i: number, at: number): number {
    this.fixed.set(i, at);
    return at;
  }

  dropBefore(i: number): void {
    for (const key of this.fixed.keys()) if (key < i) this.fixed.delete(key);
  }

  /** The first grapheme cluster boundary in [from, to], looking at the text around them. */
  private graphemeBoundaryFrom(from: number, to: number): number | undefined {
    const context = Math.max(0, from - 64);
    let at = context;
    for (const { segment } of segmenter.segment(this.text.slice(context, to + 64))) {
      if (at >= from) return at <= to ? at : undefined;
      at += segment.length;
    }
    return at >= from && at <= to ? at : undefined;
  }
}
