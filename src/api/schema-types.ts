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
  /** Shape of each text's `lexical_weights`. "dict": {"token id": weight} (FlagEmbedding's shape; Milvus, Vespa). "indices_values": {"indices": [ids ascending], "values": [weights]} (Qdrant, Pinecone). "tokens": {"token text": weight} for Elasticsearch/OpenSearch rank_features: ids with the same text keep their largest weight; in keys "%" is written %25 and "." %2E, and the bare word-start token (empty text) is ▁. */
  sparse_format: "dict" | "indices_values" | "tokens";
  /** How `dense_vecs` and `colbert_vecs` are written. "float": JSON numbers. "base64": the little-endian float32 bytes in base64, one string per text: a dense vector is 1024 floats; a text's ColBERT vectors are its token_counts - 1 rows of 1024 floats, row after row, in one string. */
  vector_encoding: "float" | "base64";
  /** Number type of `dense_vecs` and `colbert_vecs` (each ColBERT row on its own), as sentence-transformers' quantize_embeddings defines them; `scores` use the float32 vectors unless score_compact. "float32": 4 bytes a dimension. "float16": IEEE half, rounded to nearest even (2 bytes, little-endian). "uint8": per dimension q = clip(floor((x - min) / step), 0, 255) with step = (max - min) / 255 (1 where that is 0), computed in float64, min and max from the calibration set (GET /calibration; ColBERT rows have their own ranges) (1 byte). "int8": that q - 128 (1 byte, two's complement). "ubinary": the bits x > 0, 8 dimensions a byte, most significant bit first, the last byte padded with 0 bits (numpy packbits; 1024 dimensions are 128 bytes). "binary": each such byte - 128 as int8. With vector_encoding "float" these are JSON numbers (integers for the 8-bit and binary types); with "base64" the bytes themselves, row after row for ColBERT. */
  vector_type: "float32" | "float16" | "int8" | "uint8" | "binary" | "ubinary";
  /** Optional. Keep each text's k largest lexical weights (after the merge by token id); equal weights keep the smaller token id. Off when absent. lexical_tokens and every sparse_format follow. */
  sparse_top_k?: number;
  /** Optional. Drop each text's lexical weights below this value (weights equal to it are kept). Off when absent; with sparse_top_k, both apply. */
  sparse_min_weight?: number;
  /** Pool each text's ColBERT vectors into max(n // factor, 1) vectors for its n rows: Ward clustering on cosine distance (sentence-transformers' HierarchicalTokenPooling), each cluster replaced by the mean of its rows (not renormalized), clusters in the order of their first row. 1: no pooling. */
  colbert_pool_factor: number;
  /** With query: compute the scores from what the compact options return instead of the exact vectors: sparse from the pruned lexical weights (sparse_top_k, sparse_min_weight), ColBERT from the pooled rows (colbert_pool_factor), and dense and ColBERT as a database holding vector_type compares them, with the query in the same vector_type: float16 as the halves; int8 and uint8 each code decoded to the middle of its step, min + (q + 0.5) * step (q the uint8 code); binary and ubinary each bit as +-1/sqrt(n), so a dot product is 1 - 2 * hamming / n. The query itself is never pruned or pooled. */
  score_compact: boolean;
  /** Split each text into chunks of at most this many tokens (not counting <s> and </s>) and embed every chunk; 0 (the default) embeds each text whole, truncated to max_length, as before. Chunks start and end where a word starts, so each chunk's own text, `[...text].slice(start, end).join('')` in JavaScript or `text[start:end]` in Python, tokenizes to exactly its tokens and gets exactly its outputs; where no word starts within a whole window (e.g. CJK without spaces) it is cut between tokens and says `cut: "token"`. With chunking, texts of any length are accepted up to the request-size limit. At most max_length - 2. The per-text fields then hold a document-level result merged from the chunks, and `chunks` holds each chunk's own. */
  chunk_tokens: number;
  /** With chunk_tokens: tokens neighbouring chunks may share, below chunk_tokens. The next chunk starts at the first word start at or after the previous chunk's end minus chunk_overlap, so neighbours share at most this many tokens (exactly this many in a stretch without word starts). */
  chunk_overlap: number;
  /** How each text's `dense_vecs` is pooled. "cls": the <s> token's last hidden state, L2-normalized (BGE-M3's trained pooling). "mcls": MCLS, the BGE-M3 paper's training-free method for long documents (arXiv 2402.03216, appendix B.2): the text's tokens are split into groups of 256 from its start, each group is headed by an <s> (the first by the text's own <s>, the others inserted in front of their group, none after the last), the model runs once on these ids, and the vector is the L2-normalized mean of the last hidden states at all the <s> positions, the first included. A text of up to 256 tokens between its <s> and </s> gets its "cls" vector. The inserted tokens count against the model's 8192 positions (not against max_length or token_counts): a text of more than 8159 tokens between <s> and </s> is refused, so keep max_length at 8161 or less. Sparse and ColBERT outputs, and the query, are unchanged (they come from a separate pass on the text's own ids when asked). Needs an ONNX export that outputs hidden states. Not with chunk_tokens (each chunk has its own dense vector; the document-level one is merged from them). */
  dense_pooling: "cls" | "mcls";
  /** With chunk_tokens: where a chunk's outputs are computed. "none": each chunk is embedded on its own ids, as if sent as its own text. "document" (contextual chunks, "late chunking"): the text runs once, in windows of at most max_length tokens cut between chunks (a chunk never straddles two windows), and each chunk takes the outputs of its own tokens as computed in its window: its lexical_weights and colbert_vecs are exact slices of the window's per-token outputs (colbert_vecs: one row per token between its <s> and </s>, token_count - 2 rows, plus the document's </s> row for the last chunk, so the merged colbert_vecs are the document's own rows), and its dense_vec is the L2-normalized mean of the last hidden states of its tokens, not BGE-M3's trained pooling (which is the <s> state): the mean stays in the space the CLS dense vector and the query's are compared in, where the mean of ColBERT rows would be in the ColBERT head's projection. The document-level fields merge the chunks by the same rules as with "none". Needs an ONNX export that outputs hidden states. */
  chunk_context: "none" | "document";
}

export interface Output {
  /** One L2-normalized vector per text, in input order: an array of numbers, or a base64 string of little-endian float32s with vector_encoding "base64". Present when return_dense is true. With chunk_tokens, the document's vector: the mean of its chunks' dense vectors weighted by their token_count, L2-normalized (vLLM's rule). */
  dense_vecs?: (number[] | string)[];
  /** One object per text of its token weights: the largest relu(h·w + b) over each token's occurrences; special tokens and weights <= 0 are left out. Keyed by token id (as a string), or {indices, values}, or keyed by token text, as sparse_format says. Present when return_sparse is true. With chunk_tokens, the document's weights: the largest weight of each token id over its chunks (FlagEmbedding's rule for repeated ids), pruned afterwards by sparse_top_k and sparse_min_weight. */
  lexical_weights?: (Record<string, number> | ({
    /** Token ids, ascending. */
    indices: number[];
    /** The weight of each id in indices. */
    values: number[];
  }))[];
  /** The text of every token id that appears in lexical_weights, decoded as FlagEmbedding's convert_id_to_token does. Present when return_sparse is true. */
  lexical_tokens?: Record<string, string>;
  /** Per text, n - 1 L2-normalized vectors for its n tokens (<s> dropped, </s> kept): an array of rows, or with vector_encoding "base64" one base64 string of the rows' little-endian float32s, row after row (token_counts - 1 rows). Present when return_colbert is true. With chunk_tokens, the document's rows: one per content token, taken from the first chunk holding it (chunks' rows concatenated, overlaps once), then the last chunk's </s> row, so again token_counts - 1 rows. */
  colbert_vecs?: (number[][] | string)[];
  /** Short hash of the calibration whose ranges made the int8 or uint8 vectors (GET /calibration serves the ranges). Present when vector_type is int8 or uint8 and vectors are returned or scored with score_compact. */
  calibration?: string;
  /** Tokens each text was embedded with, counting <s> and </s>, after truncation. With chunk_tokens, the whole text's tokens (nothing is dropped). */
  token_counts: number[];
  /** Per text: true when tokens beyond max_length were dropped. Always false with chunk_tokens. */
  truncated: boolean[];
  /** Present when chunk_tokens is above 0: every chunk of every text, in order of text then position, each with its span, token count, cut, and its own outputs in the requested formats (and its scores against the query). */
  chunks?: ({
    /** Index of the text (in texts) the chunk belongs to. */
    text_index: number;
    /** Position of the chunk within its text, from 0. */
    chunk_index: number;
    /** Where the chunk starts in its text, in Unicode code points (not UTF-16 units or bytes): Python's text[start:end], JavaScript's [...text].slice(start, end).join(''). */
    start: number;
    /** Where the chunk ends (exclusive), in code points. Chunks cover the text in order from 0 to its length; neighbours overlap by chunk_overlap tokens at most. */
    end: number;
    /** Tokens the chunk was embedded with, counting <s> and </s>. */
    token_count: number;
    /** "word": the chunk starts and ends where words start (or at the text's ends), and its own text tokenizes to exactly its tokens, so /predictions on that text gives exactly these outputs. "token": an edge falls inside a word (no word start within a whole window); the outputs are those of the chunk's tokens, which its text alone may not reproduce. */
    cut: "word" | "token";
    /** The chunk's dense vector, in the format of dense_vecs (with chunk_context "document", the normalized mean of its tokens' hidden states in the document; an empty text's one chunk, which has no tokens, gets the text's own <s> vector). Present when return_dense is true. */
    dense_vec?: number[] | string;
    /** The chunk's lexical weights, in the format of lexical_weights (pruned likewise). Present when return_sparse is true. */
    lexical_weights?: Record<string, number> | ({
      /** Token ids, ascending. */
      indices: number[];
      /** The weight of each id in indices. */
      values: number[];
    });
    /** The chunk's ColBERT rows, in the format of colbert_vecs: token_count - 1 of them (its tokens and its </s>); with chunk_context "document", token_count - 2 (its own tokens as computed in the document), plus the document's </s> row for the text's last chunk. Present when return_colbert is true. */
    colbert_vecs?: number[][] | string;
    /** This chunk's own scores against the query, as for a text (FlagEmbedding's compute_score on the chunk's outputs). */
    scores?: {
      dense: number;
      sparse: number;
      colbert: number;
      hybrid: number;
    };
  })[];
  /** Present when a query is given: each text's score against the query, as FlagEmbedding's compute_score defines them. With chunk_tokens, dense, sparse, colbert and hybrid score the document-level (merged) outputs, best_chunk gives the best chunk's, and each chunk's own are in chunks[].scores. */
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
    /** Present with chunk_tokens: per text, the chunk with the highest hybrid score (the first on a tie) and its four scores. */
    best_chunk?: {
      /** Per text, the best chunk's chunk_index. */
      chunk_index: number[];
      /** Per text, the best chunk's dense score. */
      dense: number[];
      /** Per text, the best chunk's sparse score. */
      sparse: number[];
      /** Per text, the best chunk's ColBERT score. */
      colbert: number[];
      /** Per text, the best chunk's hybrid score: the highest over its chunks. */
      hybrid: number[];
    };
  };
}
