/**
 * Where a raw text may be cut so that the tokenizer can process it one chunk after another and
 * get exactly the result of processing it whole (bge-tokenizer.ts carries the rest of the state
 * across a cut: an open word, a trailing space for the `/ {2,}/` collapse, the section start).
 *
 * A cut at offset c is safe when
 *  - it is a grapheme cluster boundary in any context: the code points on both sides belong to
 *    classes between which Unicode never forbids a break (letters, digits, punctuation, symbols
 *    and white space, minus the few that are Prepend, Extend, SpacingMark, Hangul jamo, regional
 *    indicators or emoji modifiers; never between CR and LF). The Precompiled
 *    normalizer works per cluster, so it then gives the same text on both sides;
 *    Or it lies inside a long run of combining marks (Mn, Me: never a break before them): at least
 *    6 UTF-16 units of marks on each side and a code point of the kind above (or the end) after
 *    the run. The run's cluster is then 6 UTF-8 bytes or more in the whole text and on both sides
 *    of the cut, and the normalizer maps such clusters character by character, so the result is
 *    the same; this keeps a letter with a million accents from being one unbroken chunk;
 *    Or it lies between a skin-tone modifier and an emoji (GB11 joins emoji only after a ZWJ).
 *    Or it lies before a Hangul leading jamo that follows a vowel or trailing jamo (or a code
 *    point of the kind above): decomposed syllables always break there.
 *    Or it lies inside a run of regional indicators an even number of them from the run's start:
 *    flags pair up from the start of a run, so that is a boundary, and the next chunk pairs the
 *    same way;
 *  - no added token occurrence touches it (so leftmost-longest matching, `single_word` and
 *    `rstrip` see the same text), and white space at the cut does not belong to a run that an
 *    `lstrip` token after it or an `rstrip` token before it would swallow.
 */

export interface CutToken {
  pattern: string;
  lstrip: boolean;
  rstrip: boolean;
}

const BREAKABLE = /^[\p{L}\p{N}\p{P}\p{S}\p{White_Space}]$/u;
const NEVER_BREAKABLE =
  /^[\u0D4E\u0E33\u0EB3\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\uFF9E\uFF9F\u{111C2}\u{111C3}\u{113D1}\u{1193F}\u{11941}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}\u{16D63}\u{16D67}-\u{16D6A}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}]$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;
const NOT_WHITE_SPACE = /[^\p{White_Space}]/gu;
const COMBINING_MARK = /^[\p{Mn}\p{Me}]$/u;
const NOT_COMBINING_MARK = /[^\p{Mn}\p{Me}]/gu;
/** Units of marks needed on each side of a cut inside a run: 6 units of marks are at least 6 UTF-8 bytes. */
const MARK_RUN_SIDE = 6;
const REGIONAL_INDICATOR = /^[\u{1F1E6}-\u{1F1FF}]$/u;
/** Hangul jamo of decomposed syllables: leading consonants (L), vowels and trailing consonants (V, T). */
const EMOJI_MODIFIER = /^[\u{1F3FB}-\u{1F3FF}]$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;
const HANGUL_LEADING_JAMO = /^[\u1100-\u115F\uA960-\uA97C]$/u;
const HANGUL_TRAILING_JAMO = /^[\u1160-\u11FF\uD7B0-\uD7C6\uD7CB-\uD7FB]$/u;

/** A code point between which and any neighbour of the same kind a grapheme break always falls. */
export function alwaysBreaksAround(char: string): boolean {
  return BREAKABLE.test(char) && !NEVER_BREAKABLE.test(char);
}

/** Finds safe cuts in one text. */
export class CutFinder {
  private readonly longest: number;
  private readonly stripping: boolean;
  /** The white-space run last examined, and whether cuts inside it are safe. */
  private run = { start: -1, end: -1, safe: false };
  /** The combining-mark run last examined, and whether a breakable code point (or the end) follows it. */
  private marks = { start: -1, end: -1, safe: false };
  /** Start of the regional-indicator run last examined, and the offset it was found from. */
  private flags = { start: -1, checked: -1 };

  constructor(
    private readonly text: string,
    private readonly tokens: readonly CutToken[],
  ) {
    this.longest = tokens.reduce((max, token) => Math.max(max, token.pattern.length), 0);
    this.stripping = tokens.some((token) => token.lstrip || token.rstrip);
  }

  /** The first safe cut at or after `target`, or text.length if there is none. */
  next(target: number): number {
    const text = this.text;
    let cut = target;
    if (cut > 0 && isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) cut++;
    while (cut < text.length) {
      const after = String.fromCodePoint(text.codePointAt(cut)!);
      if (this.isSafe(text, cut, after)) return cut;
      cut += after.length;
    }
    return text.length;
  }

  private isSafe(text: string, cut: number, after: string): boolean {
    const before = codePointBefore(text, cut);
    if (COMBINING_MARK.test(before) && COMBINING_MARK.test(after)) {
      if (!this.insideLongMarkRun(cut)) return false;
    } else if (REGIONAL_INDICATOR.test(before) && REGIONAL_INDICATOR.test(after)) {
      if ((cut - this.flagRunStart(cut)) % 4 !== 0) return false;
    } else if (EMOJI_MODIFIER.test(before)) {
      // A skin tone ends its emoji's cluster unless a joiner or mark follows; a new emoji is never joined without one.
      if (!(EMOJI.test(after) && alwaysBreaksAround(after))) return false;
    } else if (HANGUL_LEADING_JAMO.test(after)) {
      // Only a leading jamo before it keeps a leading jamo in the cluster (L x L).
      if (!(HANGUL_TRAILING_JAMO.test(before) || alwaysBreaksAround(before))) return false;
    } else if ((before === '\r' && after === '\n') || !alwaysBreaksAround(before) || !alwaysBreaksAround(after)) {
      return false;
    }
    if (this.longest > 0 && this.tokenTouches(text, cut)) return false;
    return !(this.stripping && WHITE_SPACE.test(before) && !this.whiteSpaceRunIsFree(text, cut));
  }

  private tokenTouches(text: string, cut: number): boolean {
    const offset = Math.max(0, cut - this.longest);
    const window = text.slice(offset, cut + this.longest);
    for (const { pattern } of this.tokens) {
      for (let at = window.indexOf(pattern); at !== -1; at = window.indexOf(pattern, at + 1)) {
        const start = offset + at;
        if (start <= cut && start + pattern.length >= cut) return true;
      }
    }
    return false;
  }

  private insideLongMarkRun(cut: number): boolean {
    const text = this.text;
    if (!(this.marks.start < cut && cut < this.marks.end)) {
      let start = cut;
      while (start > 0 && COMBINING_MARK.test(codePointBefore(text, start))) start -= codePointBefore(text, start).length;
      NOT_COMBINING_MARK.lastIndex = cut;
      const end = NOT_COMBINING_MARK.exec(text)?.index ?? text.length;
      const safe = end === text.length || alwaysBreaksAround(String.fromCodePoint(text.codePointAt(end)!));
      this.marks = { start, end, safe };
    }
    return this.marks.safe && cut - this.marks.start >= MARK_RUN_SIDE && this.marks.end - cut >= MARK_RUN_SIDE;
  }

  /** Where the run of regional indicators (2 UTF-16 units each) ending at `cut` starts. */
  private flagRunStart(cut: number): number {
    const text = this.text;
    if (this.flags.start >= 0 && this.flags.checked <= cut && isRunOfFlags(text, this.flags.checked, cut)) {
      this.flags.checked = cut;
    } else {
      let start = cut;
      while (start >= 2 && REGIONAL_INDICATOR.test(text.slice(start - 2, start))) start -= 2;
      this.flags = { start, checked: cut };
    }
    return this.flags.start;
  }

  /** No lstrip token right after the white-space run around `cut`, no rstrip token right before it. */
  private whiteSpaceRunIsFree(text: string, cut: number): boolean {
    if (!(this.run.start < cut && cut <= this.run.end)) {
      let start = cut - 1;
      while (start > 0 && WHITE_SPACE.test(text[start - 1])) start--;
      NOT_WHITE_SPACE.lastIndex = cut;
      const end = NOT_WHITE_SPACE.exec(text)?.index ?? text.length;
      const lstripAfter = this.tokens.some((token) => token.lstrip && text.startsWith(token.pattern, end));
      const rstripBefore = this.tokens.some((token) => token.rstrip && text.endsWith(token.pattern, start));
      this.run = { start, end, safe: !lstripAfter && !rstripBefore };
    }
    return this.run.safe;
  }
}

function isRunOfFlags(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at += 2) if (!REGIONAL_INDICATOR.test(text.slice(at, at + 2))) return false;
  return true;
}

function codePointBefore(text: string, at: number): string {
  if (at >= 2 && isLowSurrogate(text.charCodeAt(at - 1)) && isHighSurrogate(text.charCodeAt(at - 2))) return text.slice(at - 2, at);
  return text.slice(at - 1, at);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
