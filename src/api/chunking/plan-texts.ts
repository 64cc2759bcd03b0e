// Planning the chunks of a prediction's texts on the event loop, in slices (issue #19), and the
// output-size guard for them.
import { abortError } from '../../engine/batching/scheduler.ts';
import { InputValidationError } from '../errors.ts';
import { MAX_COLBERT_VECTORS } from '../output.ts';
import type { Input } from '../schema-types.ts';
import type { ChunkedText } from './chunked-output.ts';
import { planChunks, type ChunkTokenizers } from './plan.ts';
import type { ChunkPlan } from './types.ts';

/** Longest stretch of planning between two turns of the event loop. */
const SLICE_MS = 20;
/** Chunks handed on at a time while planning goes on. */
export const GROUP = 32;

/**
 * Every text's chunks, yielding to the event loop between slices so a 10 MB text holds nothing
 * up. `onChunks` gets them in order, a group at a time as they are planned, so the model can
 * embed the first while the rest are planned.
 */
export async function planTexts(
  texts: readonly string[],
  input: Input,
  tokenizers: ChunkTokenizers,
  signal?: AbortSignal,
  onChunks?: (plans: ChunkPlan[]) => void,
): Promise<ChunkedText[]> {
  const out: ChunkedText[] = [];
  let colbertRows = 0;
  let group: ChunkPlan[] = [];
  let plans: ChunkPlan[] = [];
  for await (const event of planStream(texts, input, tokenizers, signal)) {
    if ('plan' in event) {
      plans.push(event.plan);
      if (input.return_colbert) colbertRows += event.plan.ids.length - 1;
      checkColbertRows(colbertRows);
      group.push(event.plan);
      if (group.length === GROUP) {
        onChunks?.(group);
        group = [];
      }
    } else {
      if (input.return_colbert) colbertRows += event.tokenCount - 1;
      checkColbertRows(colbertRows);
      out.push({ plans, tokenCount: event.tokenCount });
      plans = [];
    }
  }
  if (group.length) onChunks?.(group);
  return out;
}

/** What planning says, in order: each chunk of a text, then that the text ended and its whole token count (<s> and </s> included). */
export type PlanEvent = { text: number; plan: ChunkPlan } | { text: number; tokenCount: number };

/** Every text's chunks as they are planned, holding none of them: planChunks in slices of the event loop. */
export async function* planStream(texts: readonly string[], input: Input, tokenizers: ChunkTokenizers, signal?: AbortSignal): AsyncGenerator<PlanEvent> {
  const options = { chunkTokens: input.chunk_tokens, chunkOverlap: input.chunk_overlap };
  let sliceStart = performance.now();
  for (const [text, value] of texts.entries()) {
    let last: ChunkPlan | undefined;
    for (const plan of planChunks(value, options, tokenizers)) {
      last = plan;
      yield { text, plan };
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
        if (signal?.aborted) throw abortError();
      }
    }
    yield { text, tokenCount: last!.tokenEnd + 2 };
  }
}

/** MAX_COLBERT_VECTORS counts every returned row: the documents' merged rows and every chunk's. */
function checkColbertRows(rows: number): void {
  if (rows <= MAX_COLBERT_VECTORS) return;
  throw new InputValidationError(
    [
      {
        field: 'return_colbert',
        loc: ['return_colbert'],
        type: 'value_error',
        message: `return_colbert with chunk_tokens would return more than ${MAX_COLBERT_VECTORS} vectors (each chunk's rows and each text's merged rows), the most one prediction can hold: send shorter or fewer texts, or set return_colbert: false`,
      },
    ],
    'output_too_large',
  );
}
