/**
 * The Metaspace decoder with the Rust library's semantics, and its pre-tokenizer for whole
 * sections (token-spans.ts; BgeTokenizer's chunked path splits before every "▁" in
 * content-encoding.ts, as Rust does).
 */
import type { MetaspaceOptions } from './tokenizer-json.ts';

/**
 * Words of one normalized section: spaces become the replacement character, which is prepended
 * per the scheme, then the text is split before each replacement character.
 * `atTextStart`: the section begins at offset 0 of the input (matters for scheme "first").
 */
export function metaspaceWords(section: string, options: MetaspaceOptions, atTextStart: boolean): string[] {
  if (section.length === 0) return [];
  const { replacement, prependScheme, split } = options;
  let text = section.replaceAll(' ', replacement);
  const prepend = prependScheme === 'always' || (prependScheme === 'first' && atTextStart);
  if (prepend && !text.startsWith(replacement)) text = replacement + text;
  if (!split) return [text];
  const words: string[] = [];
  let wordStart = 0;
  for (let at = text.indexOf(replacement, 1); at !== -1; at = text.indexOf(replacement, at + replacement.length)) {
    words.push(text.slice(wordStart, at));
    wordStart = at;
  }
  words.push(text.slice(wordStart));
  return words;
}

/** What the Metaspace decoder makes of a single token: `tokenizer.decode([id])`. */
export function decodeSingleToken(piece: string, options: MetaspaceOptions): string {
  // For the first token the Rust decoder drops every replacement character unless the scheme is "never".
  return piece.replaceAll(options.replacement, options.prependScheme === 'never' ? ' ' : '');
}
