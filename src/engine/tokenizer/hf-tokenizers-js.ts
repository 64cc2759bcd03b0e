/**
 * Typed access to the parts of @huggingface/tokenizers we use. The classes are exported at
 * runtime, but the package's index.d.ts re-exports them with extensionless `export *` paths
 * that TypeScript's NodeNext resolution cannot follow, so only `Tokenizer` is visible to the
 * type checker. These minimal interfaces describe exactly what this folder relies on.
 */
import * as library from "@huggingface/tokenizers";

export interface UnigramModelConfig {
  type: "Unigram";
  unk_id: number;
  vocab: [string, number][];
}

/** The library's Unigram model (a Viterbi segmenter over the vocab). */
export interface UnigramModel {
  vocab: string[];
  scores: number[];
  tokens_to_ids: Map<string, number>;
  /** Segments one pre-tokenized word into vocab pieces (unknown characters as themselves). */
  tokenize(word: string): string[];
}

/** Any normalizer config the library knows (Replace, NFKC, Lowercase, ...). */
export interface LibraryNormalizer {
  normalize(text: string): string;
}

interface LibraryExports {
  Unigram: new (config: UnigramModelConfig, eosToken: string) => UnigramModel;
  SequenceNormalizer: new (config: { type: "Sequence"; normalizers: Record<string, unknown>[] }) => LibraryNormalizer;
}

const { Unigram, SequenceNormalizer } = library as unknown as LibraryExports;

export function createUnigramModel(config: UnigramModelConfig): UnigramModel {
  return new Unigram(config, "</s>");
}

export function createLibraryNormalizer(config: Record<string, unknown>): LibraryNormalizer {
  return new SequenceNormalizer({ type: "Sequence", normalizers: [config] });
}
