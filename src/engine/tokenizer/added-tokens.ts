/**
 * Splits text around added (special) tokens the way the Rust tokenizers' AddedVocabulary does:
 * non-overlapping leftmost-longest matches, `single_word` tokens only between non-word
 * characters, `lstrip` / `rstrip` tokens swallowing adjacent whitespace.
 */

export interface MatchableToken {
  id: number;
  /** The text to find (for `normalized` tokens: the normalized content). */
  pattern: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** A piece of the input: plain text (with its start offset in the split string) or a token id. */
export type Piece = { text: string; start: number } | { tokenId: number };

// The Rust `regex` crate's Unicode \w and \s (every White_Space character is in the BMP).
const WORD_CHAR_AT_END = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const WORD_CHAR_AT_START = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const WHITE_SPACE = /^\p{White_Space}$/u;

export class AddedTokenSplitter {
  /** Candidates by first UTF-16 unit, longest first (for leftmost-longest matching). */
  private readonly byFirstUnit = new Map<string, MatchableToken[]>();

  constructor(tokens: readonly MatchableToken[]) {
    for (const token of tokens) {
      if (token.pattern.length === 0) continue;
      const bucket = this.byFirstUnit.get(token.pattern[0]) ?? [];
      bucket.push(token);
      this.byFirstUnit.set(token.pattern[0], bucket);
    }
    for (const bucket of this.byFirstUnit.values()) bucket.sort((a, b) => b.pattern.length - a.pattern.length);
  }

  split(text: string): Piece[] {
    if (this.byFirstUnit.size === 0) return [{ text, start: 0 }];
    const pieces: Piece[] = [];
    let pieceStart = 0;
    let i = 0;
    while (i < text.length) {
      const token = this.longestMatchAt(text, i);
      if (!token) {
        i++;
        continue;
      }
      let start = i;
      let stop = i + token.pattern.length;
      i = stop;
      if (token.singleWord && !isSingleWord(text, start, stop)) continue;
      if (token.lstrip) start = skipSpaceBackward(text, start, pieceStart);
      if (token.rstrip) stop = skipSpaceForward(text, stop);
      if (pieceStart < start) pieces.push({ text: text.slice(pieceStart, start), start: pieceStart });
      pieces.push({ tokenId: token.id });
      pieceStart = i = stop;
    }
    if (pieceStart < text.length) pieces.push({ text: text.slice(pieceStart), start: pieceStart });
    return pieces;
  }

  private longestMatchAt(text: string, at: number): MatchableToken | undefined {
    return this.byFirstUnit.get(text[at])?.find((token) => text.startsWith(token.pattern, at));
  }
}

/** Two UTF-16 units always hold the whole code point next to the boundary. */
function isSingleWord(text: string, start: number, stop: number): boolean {
  const wordBefore = WORD_CHAR_AT_END.test(text.slice(Math.max(0, start - 2), start));
  const wordAfter = WORD_CHAR_AT_START.test(text.slice(stop, stop + 2));
  return !wordBefore && !wordAfter;
}

function skipSpaceBackward(text: string, from: number, floor: number): number {
  let at = from;
  while (at > floor && WHITE_SPACE.test(text[at - 1])) at--;
  return at;
}

function skipSpaceForward(text: string, from: number): number {
  let at = from;
  while (at < text.length && WHITE_SPACE.test(text[at])) at++;
  return at;
}
