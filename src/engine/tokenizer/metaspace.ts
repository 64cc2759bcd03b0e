/**
 * The Metaspace decoder with the Rust library's semantics (the pre-tokenizer side runs in
 * content-encoding.ts, which splits before every "▁" as Rust does).
 */
import type { MetaspaceOptions } from "./tokenizer-json.ts";

/** What the Metaspace decoder makes of a single token: `tokenizer.decode([id])`. */
export function decodeSingleToken(piece: string, options: MetaspaceOptions): string {
  // For the first token the Rust decoder drops every replacement character unless the scheme is "never".
  return piece.replaceAll(options.replacement, options.prependScheme === "never" ? " " : "");
}
