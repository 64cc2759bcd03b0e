// The chunk planner's answer: how one text is cut into windows (issue #19).
// Both plain chunks and contextual chunks (chunk_context: "document") start from it.

/** One window of a text. */
export interface ChunkPlan {
  /** The chunk's position within its text, from 0. */
  index: number;
  /** Its content tokens (no <s>, </s>): [tokenStart, tokenEnd) into the whole text's content tokens. */
  tokenStart: number;
  tokenEnd: number;
  /** Its characters: [start, end) in Unicode code points of the original text. */
  start: number;
  end: number;
  /**
   * 'word': it starts and ends where a word starts (or at the text's start and end), and its own
   * text, `[...text].slice(start, end).join('')`, tokenizes to exactly `ids` (the planner checks);
   * 'token': an edge falls between tokens of one word (no word start in the window), so its text
   * alone may tokenize differently; its ids are still the text's own tokens.
   */
  cut: 'word' | 'token';
  /** The model's input for it: <s>, its content ids, </s>. */
  ids: number[];
}

export interface ChunkOptions {
  /** Most content tokens per chunk (0 = chunking off). */
  chunkTokens: number;
  /** Content tokens shared by neighbouring chunks, below chunkTokens. */
  chunkOverlap: number;
}
