// Opens the backbone with chunked attention (chunked-attention.ts) when the
// rewrite applies and proves itself on this very model, else as it is.
//
// The proof runs the rewritten session twice on a short padded batch: once
// in slices of a few query rows, once in a single slice (the original
// computation, node for node). Equal outputs show that the blocks found are
// attention blocks whose rows are independent, whatever the export's graph
// looks like; any error or difference falls back to the unmodified model.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { CHUNK_INPUT, type ChunkOptions, chunkAttention, DEFAULT_CHUNK_OPTIONS } from './chunked-attention.ts';

/** Query rows per attention slice: 16 heads × 512 × 8192 × 4 B = 256 MiB of scores for an 8192-token text. */
export const DEFAULT_ATTENTION_ROWS = 512;
const PROOF_ROWS = 3;
const PROOF_TOLERANCE = 1e-4;

export interface BackboneSession {
  session: ort.InferenceSession;
  /** What happened to attention, for the setup log. */
  attention: string;
}

/** `queryRows` 0 opens the model unchanged. */
export async function openBackbone(
  modelPath: string,
  options: ort.InferenceSession.SessionOptions,
  queryRows = DEFAULT_ATTENTION_ROWS,
  chunk: ChunkOptions = DEFAULT_CHUNK_OPTIONS,
): Promise<BackboneSession> {
  if (queryRows > 0) {
    const chunked = await tryChunked(modelPath, options, queryRows, chunk);
    if (typeof chunked !== 'string') return chunked;
    return { session: await ort.InferenceSession.create(modelPath, options), attention: `full attention (chunking not used: ${chunked})` };
  }
  return { session: await ort.InferenceSession.create(modelPath, options), attention: 'full attention' };
}

/** The chunked session, or why not. */
async function tryChunked(
  modelPath: string,
  options: ort.InferenceSession.SessionOptions,
  queryRows: number,
  chunk: ChunkOptions,
): Promise<BackboneSession | string> {
  const { bytes, blocks } = chunkAttention(await readFile(modelPath), queryRows, chunk);
  if (blocks === 0) return 'no attention block recognised in the graph';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      ...options,
      // The slice-length input has a default; ORT warns about such inputs at every start.
      logSeverityLevel: 3,
      extra: withExternalDataFolder(options.extra, path.dirname(modelPath)),
    });
  } catch (err) {
    return `the rewritten graph did not load: ${(err as Error).message}`;
  }
  const failure = await proofFailure(session).catch((err: Error) => `the rewritten graph failed to run: ${err.message}`);
  if (failure) {
    await session.release();
    return failure;
  }
  return { session, attention: `attention in slices of ${queryRows} query rows (${blocks} blocks, verified)` };
}

/** A model loaded from bytes finds its external data in the folder this session setting names. */
function withExternalDataFolder(extra: unknown, folder: string): Record<string, unknown> {
  const base = (extra ?? {}) as Record<string, unknown>;
  const session = (base.session ?? {}) as Record<string, unknown>;
  return { ...base, session: { ...session, model_external_initializers_file_folder_path: folder } };
}

/** Compares slices of PROOF_ROWS query rows with one slice on a padded two-row batch; null when equal. */
async function proofFailure(session: ort.InferenceSession): Promise<string | null> {
  const rows = 2;
  const seq = 4 * PROOF_ROWS + 1;
  const ids = BigInt64Array.from({ length: rows * seq }, (_, i) => BigInt(i % seq === 0 ? 0 : 5 + ((i * 37) % 200)));
  const mask = BigInt64Array.from({ length: rows * seq }, (_, i) => (i < seq || i % seq < seq - 5 ? 1n : 0n));
  const dims = [rows, seq];
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
  const rowsInput = (n: number) => new ort.Tensor('int64', BigInt64Array.from([BigInt(n)]), []);
  const sliced = await session.run({ ...feeds, [CHUNK_INPUT]: rowsInput(PROOF_ROWS) });
  const whole = await session.run({ ...feeds, [CHUNK_INPUT]: rowsInput(2 ** 40) });
  for (const name of session.outputNames) {
    const a = sliced[name].data as Float32Array;
    const b = whole[name].data as Float32Array;
    let scale = 1;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    if (!(worst <= PROOF_TOLERANCE * scale)) return `sliced attention changed output ${name} by ${worst}`;
  }
  return null;
}
