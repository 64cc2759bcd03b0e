/**
 * Typed access to the parts of @huggingface/tokenizers we use. The classes are exported at
 * runtime, but the package's index.d.ts re-exports them with extensionless `export *` paths
 * that TypeScript's NodeNext resolution cannot follow, so only `Tokenizer` is visible to the
 * type checker. These minimal interfaces describe exactly what this folder relies on.
 */
import * as library from '@huggingface/tokenizers';

export interface UnigramModelConfig {
  type: 'Unigram';
  unk_id: number;
  vocab: [string, number][];
}

/** A node of the library's character trie over the vocab (children keyed by code point). */
export interface CharTrieNode {
  is_leaf: boolean;
  children: Map<string, CharTrieNode>;
}

/** The library's Unigram model: we use its vocab, scores and trie, and run our own Viterbi. */
export interface UnigramModel {
  vocab: string[];
  scores: number[];
  tokens_to_ids: Map<string, number>;
  trie: { root: CharTrieNode };
  /** The library's own Viterbi over one word (token-spans.ts; unknown characters as themselves). */
  tokenize(word: string): string[];
  /** Score of an unknown character: the lowest vocab score minus 10, as in the Rust library. */
  unk_score: number;
}

/** Any normalizer config the library knows (Replace, NFKC, Lowercase, ...). */
export interface LibraryNormalizer {
  normalize(text: string): string;
}

interface LibraryExports {
  Unigram: new (config: UnigramModelConfig, eosToken: string) => UnigramModel;
  SequenceNormalizer: new (config: { type: 'Sequence'; normalizers: Record<string, unknown>[] }) => LibraryNormalizer;
}

const { Unigram, SequenceNormalizer } = library as unknown as LibraryExports;

export function createUnigramModel(config: UnigramModelConfig): UnigramModel {
  return new Unigram(config, '</s>');
}

export function createLibraryNormalizer(config: Record<string, unknown>): LibraryNormalizer {
  return new SequenceNormalizer({ type: 'Sequence', normalizers: [config] });
}
