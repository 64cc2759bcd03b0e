// Right-pads a batch of token id lists to its longest row with <pad> (id 1)
// and mask 0, as FlagEmbedding's tokenizer.pad does.
import { PAD_ID } from '../model-facts.ts';
import type { TokenIds } from '../types.ts';

export interface PaddedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  seq: number;
}

export function padBatch(batch: readonly TokenIds[], rows = batch.length): PaddedBatch {
  const seq = Math.max(...batch.map((t) => t.length));
  const ids = new BigInt64Array(rows * seq).fill(BigInt(PAD_ID));
  const mask = new BigInt64Array(rows * seq);
  batch.forEach((tokens, r) => {
    for (let i = 0; i < tokens.length; i++) {
      ids[r * seq + i] = BigInt(tokens[i]);
      mask[r * seq + i] = 1n;
    }
  });
  return { ids, mask, seq };
}
