/**
 * Unigram (Viterbi) segmentation of one pre-tokenized word into ids, using the Unigram model of
 * @huggingface/tokenizers with two corrections that make it match the Rust library:
 *  - a vocabulary piece that equals the unk piece (e.g. "<unk>" produced by normalization) keeps
 *    its own score; the JS model overwrites it with the unknown-character penalty;
 *  - consecutive unknowns are fused per word (Rust fuses within a pre-token, never across).
 */
import { createUnigramModel, type UnigramModel } from "./hf-tokenizers-js.ts";

export class UnigramEncoder {
  private readonly model: UnigramModel;

  constructor(
    vocab: [string, number][],
    private readonly unkId: number,
  ) {
    if (!(unkId >= 0 && unkId < vocab.length)) {
      throw new Error(`tokenizer.json: Unigram unk_id ${unkId} is outside the vocab (0..${vocab.length - 1})`);
    }
    this.model = createUnigramModel({ type: "Unigram", unk_id: unkId, vocab });
    this.model.scores[unkId] = vocab[unkId][1];
  }

  /** Piece text for an id of the model vocabulary, or undefined. */
  piece(id: number): string | undefined {
    return this.model.vocab[id];
  }

  get size(): number {
    return this.model.vocab.length;
  }

  /** Appends the ids of `word` to `out`. */
  encodeWord(word: string, out: number[]): void {
    let previousWasUnk = false;
    for (const piece of this.model.tokenize(word)) {
      const id = this.model.tokens_to_ids.get(piece) ?? this.unkId;
      const isUnk = id === this.unkId;
      if (!(isUnk && previousWasUnk)) out.push(id);
      previousWasUnk = isUnk;
    }
  }
}
