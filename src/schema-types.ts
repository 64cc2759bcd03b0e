// Generated from schema.json by tools/schema-types.ts. Do not edit: run `npm run schema:types`.

/** A prediction input after validation: defaults applied. */
export interface Input {
  /** The texts to embed, 1 to 1024 per prediction. Each is tokenized on its own and gets its own vectors; order is preserved. */
  texts: string[];
  /** Tokens kept per text, counting <s> and </s>. Longer texts keep their first max_length - 2 tokens and are flagged in `truncated`. Below 3, only <s> and </s> remain. */
  max_length: number;
  /** Return `dense_vecs`: one L2-normalized 1024-dimensional vector per text (the <s> token's hidden state). */
  return_dense: boolean;
  /** Return `lexical_weights`: one {token id: weight} object per text, and `lexical_tokens` to read the ids as text. */
  return_sparse: boolean;
  /** Return `colbert_vecs`: one L2-normalized 1024-dimensional vector per token of each text (n - 1 rows for n tokens: <s> dropped, </s> kept). */
  return_colbert: boolean;
  /** Optional. When given, `scores` holds each text's dense, sparse, ColBERT and weighted hybrid score against this query. */
  query?: string;
  /** Weights of the dense, sparse and ColBERT scores in `scores.hybrid` (divided by their sum, which must be above 0). Used only with `query`. */
  score_weights: number[];
}

export interface Output {
  /** One L2-normalized vector per text, in input order. Present when return_dense is true. */
  dense_vecs?: number[][];
  /** One object per text mapping a token id (as a string) to its weight: the largest relu(h·w + b) over the token's occurrences; special tokens and weights <= 0 are left out. Present when return_sparse is true. */
  lexical_weights?: Record<string, number>[];
  /** The text of every token id that appears in lexical_weights, decoded as FlagEmbedding's convert_id_to_token does. Present when return_sparse is true. */
  lexical_tokens?: Record<string, string>;
  /** Per text, n - 1 L2-normalized vectors for its n tokens (<s> dropped, </s> kept). Present when return_colbert is true. */
  colbert_vecs?: number[][][];
  /** Tokens each text was embedded with, counting <s> and </s>, after truncation. */
  token_counts: number[];
  /** Per text: true when tokens beyond max_length were dropped. */
  truncated: boolean[];
  /** Present when a query is given: each text's score against the query, as FlagEmbedding's compute_score defines them. */
  scores?: {
    /** Dot product of the normalized dense vectors (cosine similarity). */
    dense: number[];
    /** Sum over shared token ids of the product of their lexical weights. */
    sparse: number[];
    /** Mean over the query's ColBERT vectors of the best dot product with any of the text's vectors. */
    colbert: number[];
    /** (w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2) with w = score_weights. */
    hybrid: number[];
    /** The score_weights used for hybrid. */
    weights: number[];
    /** Tokens the query was embedded with, after truncation to max_length. */
    query_token_count: number;
    /** True when the query was longer than max_length. */
    query_truncated: boolean;
  };
}
