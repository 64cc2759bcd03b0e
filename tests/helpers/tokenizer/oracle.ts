/**
 * The test oracle: Hugging Face's Rust tokenizers (npm `tokenizers`, a devDependency) reading the
 * same tokenizer.json. Never import this from src/.
 */
import { Tokenizer } from 'tokenizers';

export class RustOracle {
  private readonly plain: Tokenizer;
  private readonly truncating: Tokenizer;
  private truncationLength = -1;

  constructor(tokenizerJsonPath: string) {
    this.plain = Tokenizer.fromFile(tokenizerJsonPath);
    this.truncating = Tokenizer.fromFile(tokenizerJsonPath);
  }

  /** encode(text, add_special_tokens=true) ids, no truncation. */
  async ids(text: string): Promise<number[]> {
    return (await this.plain.encode(text)).getIds();
  }

  /** The Rust library's own truncation to `maxLength` (specials included in the budget). */
  async truncatedIds(text: string, maxLength: number): Promise<number[]> {
    if (maxLength !== this.truncationLength) {
      this.truncating.setTruncation(maxLength);
      this.truncationLength = maxLength;
    }
    return (await this.truncating.encode(text)).getIds();
  }

  async decode(ids: number[]): Promise<string> {
    return this.plain.decode(ids, false);
  }

  get vocabSize(): number {
    return this.plain.getVocabSize(true);
  }
}
