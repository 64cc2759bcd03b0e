// Shapes shared across the engine.

/** Which of BGE-M3's three outputs a run must produce. */
export interface Need {
  dense: boolean;
  sparse: boolean;
  colbert: boolean;
}

/** One text's raw outputs from a forward pass. */
export interface TextEmbedding {
  /** L2-normalized CLS vector, length hidden. */
  dense?: Float32Array;
  /** relu(h·w + b) for each of the text's n tokens (padding excluded). */
  tokenWeights?: Float32Array;
  /** (n - 1) L2-normalized rows of length hidden, row-major. */
  colbert?: Float32Array;
  /** One L2-normalized row of length hidden per Pool asked for this text, row-major (pools.length rows). */
  pooled?: Float32Array;
}

/** Positions [start, end) of a text's model input, counting <s> as 0. */
export interface TokenRange {
  start: number;
  end: number;
}

/**
 * Positions whose last hidden states are averaged, then L2-normalized, into
 * one vector (MCLS: the <s> positions; a contextual chunk: its tokens).
 */
export type Pool = readonly TokenRange[];

/** A tokenized text ready for the model: <s> ... </s>. */
export type TokenIds = readonly number[];
