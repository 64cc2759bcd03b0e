/**
 * The `Precompiled` normalizer of Hugging Face tokenizers: sentencepiece's compiled
 * normalization rules (a double-array trie over UTF-8 bytes plus a blob of replacement strings),
 * applied the way the Rust `spm_precompiled` crate applies them, which is what BAAI/bge-m3's
 * tokenizer.json runs. @huggingface/tokenizers replaces this with JS NFKC, which differs on
 * ZWJ sequences, stacked combining marks and half-width kana voicing marks.
 *
 * Charsmap layout: u32 LE trie size in bytes, the trie (u32 LE units), then the replacement
 * strings, each terminated by NUL. A trie value is a byte offset into that string blob.
 */

import { graphemeClusters } from './grapheme-clusters.ts';
import { alwaysBreaksAround } from './text-cuts.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Rust's spm_precompiled only tries a whole grapheme cluster when it is shorter than this. */
const MAX_WHOLE_CLUSTER_BYTES = 6;

// Double-array unit accessors (darts-clone layout, as in sentencepiece).
const hasLeaf = (unit: number): boolean => ((unit >>> 8) & 1) === 1;
const unitValue = (unit: number): number => unit & 0x7fffffff;
const unitLabel = (unit: number): number => (unit & 0x800000ff) >>> 0;
const unitOffset = (unit: number): number => (unit >>> 10) << ((unit & (1 << 9)) >>> 6);

export class PrecompiledCharsmap {
  private readonly replacements = new Map<number, string>();
  /** What each code point normalizes to when it is a cluster on its own. */
  private readonly singles = new Map<number, string>();

  private constructor(
    private readonly trie: Uint32Array,
    private readonly strings: Uint8Array,
  ) {}

  static fromBase64(base64: string): PrecompiledCharsmap {
    return PrecompiledCharsmap.fromBytes(Buffer.from(base64, 'base64'));
  }

  static fromBytes(bytes: Uint8Array): PrecompiledCharsmap {
    if (bytes.length < 4) {
      throw new Error(`precompiled_charsmap is ${bytes.length} bytes; expected a u32 trie size followed by the trie`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const trieBytes = view.getUint32(0, true);
    if (trieBytes % 4 !== 0 || 4 + trieBytes > bytes.length) {
      throw new Error(
        `precompiled_charsmap declares a ${trieBytes}-byte trie but holds ${bytes.length - 4} bytes after the size field; ` +
          "the charsmap is corrupt or not sentencepiece's format",
      );
    }
    const trie = new Uint32Array(trieBytes / 4);
    for (let i = 0; i < trie.length; i++) trie[i] = view.getUint32(4 + i * 4, true);
    return new PrecompiledCharsmap(trie, bytes.slice(4 + trieBytes));
  }

  /**
   * Normalizes text per extended grapheme cluster, exactly as spm_precompiled does. A code point
   * that always breaks from its neighbours (and they from it) is a cluster on its own, whatever
   * surrounds them: those are mapped one by one from a cache, and only the stretches between
   * them go through the (slow) grapheme segmenter.
   */
  normalize(text: string): string {
    let out = '';
    let slowFrom = 0;
    let previousBreaks = true;
    let at = 0;
    while (at < text.length) {
      const codePoint = text.codePointAt(at)!;
      const size = codePoint > 0xffff ? 2 : 1;
      const breaks = singleBreaks(codePoint);
      const nextBreaks = at + size >= text.length || singleBreaks(text.codePointAt(at + size)!);
      if (breaks && previousBreaks && nextBreaks) {
        if (slowFrom < at) out += this.normalizeClusters(text.slice(slowFrom, at));
        out += this.single(codePoint);
        slowFrom = at + size;
      }
      previousBreaks = breaks;
      at += size;
    }
    if (slowFrom < text.length) out += this.normalizeClusters(text.slice(slowFrom));
    return out;
  }

  private single(codePoint: number): string {
    let mapped = this.singles.get(codePoint);
    if (mapped === undefined) {
      const char = String.fromCodePoint(codePoint);
      mapped = this.transform(Buffer.from(char, 'utf8')) ?? char;
      this.singles.set(codePoint, mapped);
    }
    return mapped;
  }

  private normalizeClusters(text: string): string {
    let out = '';
    for (const segment of graphemeClusters(text)) {
      const bytes = Buffer.from(segment, 'utf8');
      if (bytes.length < MAX_WHOLE_CLUSTER_BYTES) {
        const whole = this.transform(bytes);
        if (whole !== undefined) {
          out += whole;
          continue;
        }
      }
      out += this.normalizeCharByChar(segment);
    }
    return out;
  }

  /** The replacement of one cluster or character as a whole, or undefined (for token offsets). */
  replacement(text: string): string | undefined {
    return this.transform(Buffer.from(text, 'utf8'));
  }

  /**
   * The replacement for the shortest trie key that is a prefix of `bytes`, or undefined.
   * Note the quirk this reproduces: when a whole cluster is looked up, a match on its first
   * character alone replaces the entire cluster (e.g. full-width "Ａ" + U+0301 -> "A").
   */
  private transform(bytes: Uint8Array): string | undefined {
    const offset = this.shortestPrefixValue(bytes);
    return offset === undefined ? undefined : this.replacementAt(offset);
  }

  private normalizeCharByChar(cluster: string): string {
    let out = '';
    for (const char of cluster) {
      out += this.transform(Buffer.from(char, 'utf8')) ?? char;
    }
    return out;
  }

  private shortestPrefixValue(key: Uint8Array): number | undefined {
    const trie = this.trie;
    let nodePos = unitOffset(trie[0]);
    for (const byte of key) {
      if (byte === 0) return undefined;
      nodePos ^= byte;
      const unit = trie[nodePos];
      if (unit === undefined || unitLabel(unit) !== byte) return undefined;
      nodePos ^= unitOffset(unit);
      if (hasLeaf(unit)) {
        const leaf = trie[nodePos];
        return leaf === undefined ? undefined : unitValue(leaf);
      }
    }
    return undefined;
  }

  private replacementAt(offset: number): string {
    let cached = this.replacements.get(offset);
    if (cached === undefined) {
      let end = this.strings.indexOf(0, offset);
      if (end < 0) end = this.strings.length;
      cached = utf8.decode(this.strings.subarray(offset, end));
      this.replacements.set(offset, cached);
    }
    return cached;
  }
}

const breakClass = new Uint8Array(0x110000);

/** alwaysBreaksAround, cached per code point (CR excluded: CR LF is one cluster). */
function singleBreaks(codePoint: number): boolean {
  let known = breakClass[codePoint];
  if (known === 0) {
    known = codePoint !== 0x0d && alwaysBreaksAround(String.fromCodePoint(codePoint)) ? 1 : 2;
    breakClass[codePoint] = known;
  }
  return known === 1;
}
