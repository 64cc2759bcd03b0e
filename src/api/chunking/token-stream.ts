// The content tokens of a long text with their offsets, produced a block at a time so that a
// 10 MB document never has all its tokens in memory (issue #19). Blocks end at cuts where the
// tokenizer's work is independent on both sides (blockEnd below); each block is tokenized by
// TokenSpans, whose offsets are the Rust library's.
import { alwaysBreaksAround } from '../../engine/tokenizer/text-cuts.ts';
import type { TokenSpans } from '../../engine/tokenizer/token-spans.ts';

export interface StreamToken {
  id: number;
  /** [start, stop) in UTF-16 units of the whole text, as the Rust library reports them. */
  start: number;
  stop: number;
  /** It begins a word (TokenSpans.startsWord): a chunk may start here. */
  wordStart: boolean;
}

/** UTF-16 units per block, about 2,000 tokens of prose. */
export const BLOCK_UNITS = 8192;

/**
 * A space or newline after a letter, digit or punctuation mark, not followed by a combining
 * mark: a grapheme boundary on both sides that no added token touches, where the normalized
 * text has a space starting a new Metaspace word (so neither the `/ {2,}/` collapse, nor a word,
 * nor the Metaspace prepend crosses it: the right side starts with the replacement character).
 */
const INDEPENDENT_CUT = /(?<=[\p{L}\p{N}\p{P}])[ \n](?!\p{M})/gu;

/**
 * Longest block. A longer run without an independent cut (a megabyte of CJK without a line
 * break, say) is cut between two code points that always break apart (text-cuts.ts); the tokens
 * right after such a forced cut may differ from the whole text's (the block starts a new word),
 * which the chunk there does not hide: its text is checked like any other.
 */
export const MAX_BLOCK_UNITS = 1 << 16;

/** The first independent cut at or after `target` (forced within MAX_BLOCK_UNITS of it), or the text's end. */
export function blockEnd(text: string, target: number): number {
  if (target >= text.length) return text.length;
  INDEPENDENT_CUT.lastIndex = target;
  const found = INDEPENDENT_CUT.exec(text)?.index ?? text.length;
  if (found - target <= MAX_BLOCK_UNITS) return found;
  for (let at = target + MAX_BLOCK_UNITS; at < text.length; at++) {
    if (alwaysBreaksAround(text[at - 1]) && alwaysBreaksAround(text[at])) return at;
  }
  return text.length;
}

/** Tokens of `text` in order, a block at a time. */
export function* streamTokens(spans: TokenSpans, text: string, blockUnits = BLOCK_UNITS): Generator<StreamToken[]> {
  let from = 0;
  while (from < text.length) {
    const to = blockEnd(text, from + blockUnits);
    const block = spans.encode(text.slice(from, to), false);
    yield block.map((t) => ({ id: t.id, start: from + t.start!, stop: from + t.stop!, wordStart: spans.startsWord(t.id) }));
    from = to;
  }
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

function isPair(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
