// The content tokens of a long text, produced a piece at a time so that a 10 MB document never
// has all its tokens in memory (issue #19). The text is cut into pieces where a word starts
// that nothing before it can reach (pieceCuts below): the tokenizer's ids for the pieces are
// its ids for the whole text, and the first token of each piece starts exactly at the cut. The
// Rust library's offsets (TokenSpans) are computed only where they are needed: for long pieces
// (a run of CJK without spaces, a URL), whose inner word starts and token boundaries chunks may
// need, and on demand for a token cut inside a short one.
import type { BgeTokenizer } from '../../engine/tokenizer/bge-tokenizer.ts';
import type { PieceCut } from '../../engine/tokenizer/content-encoding.ts';
import { alwaysBreaksAround } from '../../engine/tokenizer/text-cuts.ts';
import type { TokenSpans } from '../../engine/tokenizer/token-spans.ts';

/** A stretch of the text between two cuts, and the index of its first token. */
export interface Piece {
  from: number;
  to: number;
  firstToken: number;
  tokens: number;
}

export interface StreamToken {
  id: number;
  piece: Piece;
  /** The UTF-16 offset of the cut before it, for the first token of a piece. */
  cutAt?: number;
  /** [start, stop) in UTF-16 units as the Rust library reports them, once computed. */
  start?: number;
  stop?: number;
  /** A chunk may start here: the first token of a piece, or a word start inside a long piece. */
  wordStart: boolean;
}

export interface StreamTokenizers {
  tokenizer: BgeTokenizer;
  spans: TokenSpans;
}

/** Pieces of more tokens than this get their offsets at once. */
export const LONG_PIECE_TOKENS = 48;

/**
 * Longest piece. A longer run without a word start to cut at (a megabyte of CJK without a line
 * break, say) is cut between two code points that always break apart, and what follows is
 * tokenized as a text of its own: its first tokens may differ from the whole text's. Bounds the
 * offsets computed at once too (TokenSpans on 16 Ki units holds the event loop about 0.1 s).
 */
export const MAX_PIECE_UNITS = 1 << 14;

const WHITE_SPACE = /^\p{White_Space}$/u;

/** Where the pieces start: every word cut (below), and forced cuts in runs longer than MAX_PIECE_UNITS without one. */
export function* pieceCuts(tokenizer: BgeTokenizer, text: string): Generator<PieceCut> {
  let last = 0;
  const forced = function* (until: number): Generator<PieceCut> {
    while (until - last > MAX_PIECE_UNITS) {
      const at = forcedCut(text, last + MAX_PIECE_UNITS, tokenizer.rawAddedTokens);
      if (at >= until) return;
      yield { at, restart: true };
      last = at;
    }
  };
  for (const at of wordCuts(tokenizer, text)) {
    yield* forced(at);
    yield { at, restart: false };
    last = at;
  }
  yield* forced(text.length);
}

/** The first offset at or after `target` between two code points that always break apart, with no added token across it. */
function forcedCut(text: string, target: number, added: readonly { pattern: string }[]): number {
  for (let at = target; at < text.length; at++) {
    const before = codePointBefore(text, at);
    const after = codePointAt(text, at)!;
    if (isPair(text, at - 1) || !alwaysBreaksAround(before) || !alwaysBreaksAround(after)) continue;
    if (added.some((t) => touches(text, at, t.pattern))) continue;
    return at;
  }
  return text.length;
}

function touches(text: string, at: number, pattern: string): boolean {
  for (let from = Math.max(0, at - pattern.length); from <= at; from++) if (text.startsWith(pattern, from)) return true;
  return false;
}

/**
 * Offsets where a word starts that nothing before it can reach: a space or newline that normalizes to a space and is its own
 * grapheme cluster, after a code point that always breaks from its neighbours, is not white
 * space, and normalizes to text that is neither empty nor ends in a space, with no added token
 * ending there (one that strips white space after it would swallow the space).
 */
function* wordCuts(tokenizer: BgeTokenizer, text: string): Generator<number> {
  const normalizesTo = new Map<string, string>();
  const normalized = (char: string) => {
    const known = normalizesTo.get(char);
    if (known !== undefined) return known;
    const out = tokenizer.normalizeText(char);
    normalizesTo.set(char, out);
    return out;
  };
  const added = tokenizer.rawAddedTokens;
  // Its own regex: generators of concurrent predictions interleave, and a global one's lastIndex is shared.
  const candidates = /[ \n]/g;
  candidates.lastIndex = 1;
  for (let m = candidates.exec(text); m; m = candidates.exec(text)) {
    const at = m.index;
    if (normalized(text[at]) !== ' ') continue;
    const after = codePointAt(text, at + 1);
    if (after !== undefined && !alwaysBreaksAround(after)) continue;
    const before = codePointBefore(text, at);
    if (WHITE_SPACE.test(before) || !alwaysBreaksAround(before)) continue;
    const b = normalized(before);
    if (b === '' || b.endsWith(' ')) continue;
    if (added.some((t) => text.endsWith(t.pattern, at))) continue;
    yield at;
  }
}

/** The text's tokens in order, a piece at a time. */
export function* streamTokens({ tokenizer, spans }: StreamTokenizers, text: string): Generator<StreamToken[]> {
  // Each piece is yielded once its cut has been read: the queue holds that cut (the piece's end).
  const ends: number[] = [];
  const pieces = tokenizer.contentPieces(text, recordCuts(pieceCuts(tokenizer, text), ends));
  if (!pieces) throw new Error('planChunks: this tokenizer cannot be run piece by piece');
  let from = 0;
  let firstToken = 0;
  for (const ids of pieces) {
    const to = ends.shift() ?? text.length;
    const piece: Piece = { from, to, firstToken, tokens: ids.length };
    const tokens: StreamToken[] = ids.map((id, k) => ({ id, piece, wordStart: k === 0, cutAt: k === 0 ? from : undefined }));
    if (ids.length > LONG_PIECE_TOKENS) addOffsets(spans, text, tokens, true);
    yield tokens;
    from = to;
    firstToken += ids.length;
  }
}

function* recordCuts(cuts: Generator<PieceCut>, ends: number[]): Generator<PieceCut> {
  for (const cut of cuts) {
    ends.push(cut.at);
    yield cut;
  }
}

/**
 * The Rust offsets of one piece's tokens (TokenSpans on the piece alone, which is exact at these
 * cuts), and with `wordStarts` its inner word starts. `tokens[k]`: the piece's k-th token, or
 * undefined where it is no longer held.
 */
export function addOffsets(spans: TokenSpans, text: string, tokens: readonly (StreamToken | undefined)[], wordStarts: boolean): void {
  const piece = tokens.find((t) => t)!.piece;
  const found = spans.encode(text.slice(piece.from, piece.to), false);
  if (found.length !== piece.tokens || found.some((t, k) => tokens[k] !== undefined && t.id !== tokens[k].id)) {
    throw new Error(`planChunks: the offsets of characters ${piece.from}-${piece.to} do not belong to their tokens`);
  }
  found.forEach((t, k) => {
    const token = tokens[k];
    if (!token) return;
    token.start = piece.from + t.start!;
    token.stop = piece.from + t.stop!;
    if (wordStarts && k > 0) token.wordStart = spans.startsWord(t.id);
  });
}

/** UTF-16 offset -> code point offset, for offsets that mostly move forward (lone surrogates count one each). */
export class CodePointCursor {
  private unit = 0;
  private point = 0;

  constructor(private readonly text: string) {}

  at(unit: number): number {
    const text = this.text;
    while (this.unit < unit) {
      this.unit += isPair(text, this.unit) ? 2 : 1;
      this.point++;
    }
    while (this.unit > unit) {
      this.unit -= this.unit >= 2 && isPair(text, this.unit - 2) ? 2 : 1;
      this.point--;
    }
    return this.point;
  }
}

function codePointAt(text: string, at: number): string | undefined {
  if (at >= text.length) return undefined;
  return isPair(text, at) ? text.slice(at, at + 2) : text[at];
}

function codePointBefore(text: string, at: number): string {
  return at >= 2 && isPair(text, at - 2) ? text.slice(at - 2, at) : text[at - 1];
}

function isPair(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
