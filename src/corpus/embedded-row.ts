// One embedded row, as the writers store it.

export interface EmbeddedRow {
  row: number;
  /** Bytes of the input up to the end of this row, when the reader knows it. */
  endByte?: number;
  id: string;
  tokenCount: number;
  truncated: boolean;
  /** With --chunk-tokens: the chunk's position in its document and its span in code points. */
  chunk?: { index: number; start: number; end: number };
  dense?: number[];
  /** Token ids in ascending order, and their weights (the lexical weights as two lists). */
  sparseIndices?: number[];
  sparseValues?: number[];
  /** token_count - 1 vectors (<s> dropped, </s> kept), or max((token_count - 1) // factor, 1) with --colbert-pool-factor. */
  colbert?: number[][];
}

/** Which outputs the job writes; mirrors return_dense / return_sparse / return_colbert. */
export interface Outputs {
  dense: boolean;
  sparse: boolean;
  colbert: boolean;
  /** sparse_top_k, sparse_min_weight and colbert_pool_factor of the predictions; absent: off. */
  compact?: Compact;
  /** --chunk-tokens and --chunk-overlap; absent: each text whole. */
  chunk?: { tokens: number; overlap: number };
}

export interface Compact {
  sparseTopK?: number;
  sparseMinWeight?: number;
  colbertPoolFactor?: number;
}
