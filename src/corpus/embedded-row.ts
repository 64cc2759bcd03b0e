// One embedded row, as the writers store it.
import type { VectorType } from '../api/vector-types.ts';

export interface EmbeddedRow {
  row: number;
  /** Bytes of the input up to the end of this row, when the reader knows it. */
  endByte?: number;
  id: string;
  tokenCount: number;
  truncated: boolean;
  /** With --chunk-tokens: the chunk's position in its document and its span in code points. */
  chunk?: { index: number; start: number; end: number };
  /** In --vector-type, as /predictions' JSON numbers: dim floats or int8/uint8 values, or dim / 8 packed bytes (binary, ubinary). */
  dense?: number[];
  /** Token ids in ascending order, and their weights (the lexical weights as two lists). */
  sparseIndices?: number[];
  sparseValues?: number[];
  /** Each vector as `dense` is; token_count - 1 vectors (<s> dropped, </s> kept), or max((token_count - 1) // factor, 1) with --colbert-pool-factor. */
  colbert?: number[][];
}

/** Which outputs the job writes; mirrors return_dense / return_sparse / return_colbert. */
export interface Outputs {
  dense: boolean;
  sparse: boolean;
  colbert: boolean;
  /** sparse_top_k, sparse_min_weight and colbert_pool_factor of the predictions; absent: off. */
  compact?: Compact;
  /** --chunk-tokens, --chunk-overlap and --chunk-context ("document": contextual chunks; absent: "none"); absent: each text whole. */
  chunk?: { tokens: number; overlap: number; context?: 'document' };
  /** dense_pooling "mcls" (--dense-pooling mcls); absent: "cls". */
  densePooling?: 'mcls';
  /** vector_type of dense and ColBERT vectors; absent: float32. */
  vectorType?: VectorType;
}

export interface Compact {
  sparseTopK?: number;
  sparseMinWeight?: number;
  colbertPoolFactor?: number;
}
