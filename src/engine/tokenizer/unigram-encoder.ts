/**
 * Unigram (Viterbi) segmentation of pre-tokenized words into ids, as the Rust library's
 * `encode_optimized` does it, over the vocab, scores and trie of @huggingface/tokenizers:
 *  - a vocabulary piece that equals the unk piece (e.g. "<unk>" produced by normalization) keeps
 *    its own score; the JS model overwrites it with the unknown-character penalty;
 *  - consecutive unknowns are fused per word (Rust fuses within a pre-token, never across).
 *
 * A word arrives in fragments (`push`) and is segmented as it arrives, so a 10 MB "word" never
 * needs a 10 MB lattice. The best path to the word's end passes through some boundary in the
 * last `maxPieceChars` positions whose scores are final (no piece is longer). When the best
 * paths to all of those positions share a prefix (they meet at one position), that prefix is
 * part of the final segmentation whatever comes next, so its ids are emitted and its lattice
 * entries dropped. This is exact, not an approximation; only when the paths keep disagreeing
 * (e.g. tied segmentations of a periodic string) does the uncommitted window grow with the word.
 */
import { createUnigramModel, type CharTrieNode, type UnigramModel } from './hf-tokenizers-js.ts';

/** How many new positions are scored between two checks for a common prefix. */
const COMMIT_CHECK_INTERVAL = 64;

export class UnigramEncoder {
  private readonly model: UnigramModel;
  /** Longest vocab piece, in code points. */
  readonly maxPieceChars: number;

  constructor(
    vocab: [string, number][],
    readonly unkId: number,
  ) {
    if (!(unkId >= 0 && unkId < vocab.length)) {
      throw new Error(`tokenizer.json: Unigram unk_id ${unkId} is outside the vocab (0..${vocab.length - 1})`);
    }
    this.model = createUnigramModel({ type: 'Unigram', unk_id: unkId, vocab });
    this.model.scores[unkId] = vocab[unkId][1];
    this.maxPieceChars = vocab.reduce((longest, [piece]) => Math.max(longest, codePointCount(piece)), 1);
  }

  /** Piece text for an id of the model vocabulary, or undefined. */
  piece(id: number): string | undefined {
    return this.model.vocab[id];
  }

  get size(): number {
    return this.model.vocab.length;
  }

  /** A reusable segmenter that appends the ids of each word pushed to it to `out`. */
  wordSegmenter(out: number[]): WordSegmenter {
    return new WordSegmenter(this.model, this.unkId, this.maxPieceChars, out);
  }
}

/**
 * Segments one word at a time, fed in fragments. Positions are code point offsets in the
 * current word; arrays hold the uncommitted window, index = position - base.
 */
export class WordSegmenter {
  private chars: string[] = [];
  /** Best path score to each position, the start of its last piece, and that piece's id. */
  private best = new Float64Array(256);
  private from = new Int32Array(256);
  private pieceId = new Int32Array(256);
  /** Positions before `base` are committed (their ids are in `out`). */
  private base = 0;
  /** Next start position to score; every position <= next has its final best score. */
  private next = 0;
  /** Code points received so far in this word. */
  private length = 0;
  private lastCheck = 0;
  private open = false;
  private previousWasUnk = false;
  private readonly root: CharTrieNode;
  private readonly unkScore: number;

  constructor(
    private readonly model: UnigramModel,
    private readonly unkId: number,
    private readonly maxPieceChars: number,
    private readonly out: number[],
  ) {
    this.root = model.trie.root;
    this.unkScore = model.unk_score;
  }

  /** Characters received in the current word and not yet committed (for tests and benchmarks). */
  get pending(): number {
    return this.length - this.base;
  }

  /** Appends `text` to the current word (starting one if none is open). */
  push(text: string): void {
    if (text.length === 0) return;
    if (!this.open) this.begin();
    const before = this.length;
    for (const char of text) this.chars.push(char);
    this.length = this.base + this.chars.length;
    this.ensureCapacity(before);
    // A piece starting at `next` may reach `maxPieceChars` ahead: score it once those have arrived.
    while (this.next + this.maxPieceChars <= this.length) {
      this.scoreStart(this.next++);
      if (this.next - this.lastCheck >= COMMIT_CHECK_INTERVAL) {
        this.lastCheck = this.next;
        this.commitCommonPrefix();
      }
    }
  }

  /** Finishes the current word, if one is open: its remaining ids go to `out`. */
  end(): void {
    if (!this.open) return;
    while (this.next < this.length) this.scoreStart(this.next++);
    this.commit(this.length);
    this.open = false;
  }

  private begin(): void {
    this.open = true;
    this.chars = [];
    this.base = this.next = this.length = this.lastCheck = 0;
    this.previousWasUnk = false;
    this.best[0] = 0;
    this.from[0] = -1;
  }

  /** Relaxes every piece starting at `start` (Rust's order and tie-breaking: first best wins). */
  private scoreStart(start: number): void {
    const at = start - this.base;
    const scoreHere = this.best[at];
    let node: CharTrieNode | undefined = this.root;
    let piece = '';
    let hasSingleChar = false;
    const end = Math.min(this.chars.length, at + this.maxPieceChars);
    for (let i = at; i < end; i++) {
      const char = this.chars[i];
      node = node.children.get(char);
      if (node === undefined) break;
      piece += char;
      if (!node.is_leaf) continue;
      const id = this.model.tokens_to_ids.get(piece)!;
      this.relax(i + 1, scoreHere + this.model.scores[id], start, id);
      if (i === at) hasSingleChar = true;
    }
    if (!hasSingleChar) this.relax(at + 1, scoreHere + this.unkScore, start, this.unkId);
  }

  private relax(target: number, score: number, start: number, id: number): void {
    if (this.from[target] === -1 || score > this.best[target]) {
      this.best[target] = score;
      this.from[target] = start;
      this.pieceId[target] = id;
    }
  }

  /**
   * The final path crosses some position in (next - maxPieceChars, next]; where the best paths
   * to all of them meet, everything before is settled and can be emitted.
   */
  private commitCommonPrefix(): void {
    const low = Math.max(this.base, this.next - this.maxPieceChars + 1);
    let meet = this.next;
    for (let position = this.next - 1; position >= low && meet > this.base; position--) {
      let a = position;
      let b = meet;
      while (a !== b) {
        if (a > b) a = this.from[a - this.base];
        else b = this.from[b - this.base];
      }
      meet = a;
    }
    if (meet > this.base) this.commit(meet);
  }

  /** Emits the best path from `base` to `position` and drops the window before it. */
  private commit(position: number): void {
    const path: number[] = [];
    for (let at = position; at > this.base; at = this.from[at - this.base]) path.push(this.pieceId[at - this.base]);
    for (let i = path.length - 1; i >= 0; i--) {
      const isUnk = path[i] === this.unkId;
      if (!(isUnk && this.previousWasUnk)) this.out.push(path[i]);
      this.previousWasUnk = isUnk;
    }
    const drop = position - this.base;
    if (drop === 0) return;
    const keep = this.length - position + 1;
    this.best.copyWithin(0, drop, drop + keep);
    this.from.copyWithin(0, drop, drop + keep);
    this.pieceId.copyWithin(0, drop, drop + keep);
    this.chars.splice(0, drop);
    this.base = position;
  }

  /** Grows the window arrays to hold every received position; positions after `before` start unreached. */
  private ensureCapacity(before: number): void {
    const size = this.length - this.base + 1;
    if (size > this.best.length) {
      const capacity = Math.max(size, this.best.length * 2);
      const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
        const next = make(capacity);
        next.set(old);
        return next;
      };
      this.best = grow(this.best, (n) => new Float64Array(n));
      this.from = grow(this.from, (n) => new Int32Array(n));
      this.pieceId = grow(this.pieceId, (n) => new Int32Array(n));
    }
    this.from.fill(-1, before - this.base + 1, size);
  }
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
