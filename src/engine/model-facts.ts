// BGE-M3's fixed facts, named once for every layer that states them: its Hub
// id, the width of its vectors, its position limit and its special token ids.
// A loaded model reports its own width (ModelInfo.dim; the small generated
// test models are narrower); DENSE_DIM is for answers given without one.

// The id lives with the weights manifest, which the Docker image's weights
// stage ships alone (src/engine/weights); it is re-exported here.
export { REPO_ID as MODEL_ID } from './weights/manifest.ts';

/** Width of a dense vector and of each ColBERT row: the model's hidden size. */
export const DENSE_DIM = 1024;

/** Tokens per text at most, counting <s> and </s>: 8194 position embeddings less XLM-R's padding offset of 2. */
export const MAX_POSITION_TOKENS = 8192;

/** <s>, the first token of every text (its hidden state is the dense vector). */
export const BOS_ID = 0;
/** <pad>, which fills a batch's shorter rows. */
export const PAD_ID = 1;
/** </s>, the last token of every text. */
export const EOS_ID = 2;
/** <unk>. */
export const UNK_ID = 3;
