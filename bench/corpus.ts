// Deterministic benchmark texts of exact token lengths, cut from the
// multilingual sentences the tokenizer fixture was trained on.
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { SCRIPT_SAMPLES } from '../tools/fixtures/tokenizer/corpus-sentences.ts';
import type { BenchText } from './types.ts';

/** Counts tokens including <s> and </s>; tokenize(text) returns the ids. */
export type Tokenize = (text: string) => number[];

const SENTENCES = SCRIPT_SAMPLES.flatMap((s) => s.sentences);
/** Short endings tried, in order, to land exactly on the target length. */
const FILLERS = [' a', '.', ' 1', ' the', ',', ' 7', ' is', ' de', ' и', ' 的', ' x', ' 42'];

export class TextMaker {
  private readonly random: () => number;

  constructor(
    private readonly tokenize: Tokenize,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** A text of exactly `target` tokens (<s> and </s> included), or the closest below it. */
  make(target: number): BenchText {
    if (target < 3) throw new Error(`a benchmark text needs at least 3 tokens, asked for ${target}`);
    let text = this.sentencesUpTo(target);
    if (this.count(text) > target) text = this.longestPrefix(text, target);
    text = this.fill(text, target);
    return { text, ids: this.tokenize(text) };
  }

  private count(text: string): number {
    return this.tokenize(text).length;
  }

  /** Random sentences joined until the text has at least `target` tokens. */
  private sentencesUpTo(target: number): string {
    let text = '';
    let n = 0;
    while (n < target) {
      text += (text ? ' ' : '') + SENTENCES[Math.floor(this.random() * SENTENCES.length)];
      n = this.count(text);
    }
    return text;
  }

  /** The longest code-point prefix with at most `target` tokens (token counts grow with the prefix). */
  private longestPrefix(text: string, target: number): string {
    const chars = [...text];
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.count(chars.slice(0, mid).join('')) <= target) lo = mid;
      else hi = mid - 1;
    }
    return chars.slice(0, lo).join('').trimEnd();
  }

  /** Appends short fillers while that gets closer to `target` without passing it. */
  private fill(text: string, target: number): string {
    for (let n = this.count(text); n < target; ) {
      const next = FILLERS.map((f) => text + f).find((t) => this.count(t) <= target && this.count(t) > n);
      if (!next) break;
      text = next;
      n = this.count(text);
    }
    return text;
  }
}
