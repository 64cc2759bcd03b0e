// The ceiling: raw session.run of the backbone on pre-tokenized batches in
// which every row has the same length, with our session options. Texts in
// flight together (a wave: one request per client) are packed by
// ceiling-batches.ts, each batch's rows cut to its shortest row, so
// onnxruntime runs no padding at all; throughput counts the tokens it ran.
// The session is the predictor's own (same options, same attention slicing).
import * as ort from 'onnxruntime-node';
import { openBackbone } from '../../src/engine/onnx/backbone-session.ts';
import { sessionOptions } from '../../src/engine/onnx/onnx-model.ts';
import { findModelFiles } from '../../src/engine/weights/model-files.ts';
import { CEILING_MIN_FILL, packUnpadded } from '../ceiling-batches.ts';
import { waves } from '../clients.ts';
import type { ChildJob, RunResult, WorkloadData } from '../types.ts';
import { peakRss, realTokens } from './measure.ts';

const HIDDEN = 'token_embeddings';

export async function runCeiling(job: ChildJob, w: WorkloadData): Promise<RunResult> {
  const setupStart = performance.now();
  const files = await findModelFiles(job.modelDir);
  const { session, attention } = await openBackbone(files.model, sessionOptions());
  await runRows(session, [[0, 2]]);
  const setupMs = performance.now() - setupStart;
  const rssAfterSetup = process.memoryUsage().rss;

  const requestOf = new Map<number, number[]>();
  w.requests.forEach((texts, r) => texts.forEach((t) => requestOf.set(t, [...(requestOf.get(t) ?? []), r])));
  const latenciesMs = new Array<number>(w.requests.length);
  let ranTokens = 0;
  let batches = 0;
  const start = performance.now();
  for (const wave of waves(w)) {
    const waveStart = performance.now();
    for (const batch of packUnpadded(
      wave.map((t) => w.texts[t].ids.length),
      job.maxBatchTokens,
      CEILING_MIN_FILL,
    )) {
      const texts = batch.rows.map((k) => wave[k]);
      await runRows(
        session,
        texts.map((t) => w.texts[t].ids.slice(0, batch.length)),
      );
      ranTokens += texts.length * batch.length;
      batches++;
      const now = performance.now() - waveStart;
      for (const t of texts) for (const r of requestOf.get(t) ?? []) latenciesMs[r] = now;
    }
  }
  const wallMs = performance.now() - start;
  const peak = peakRss();
  await session.release();
  return {
    system: 'ceiling',
    workload: w.name,
    wallMs,
    texts: w.texts.length,
    tokens: realTokens(w),
    ranTokens,
    batches,
    modelMs: wallMs,
    latenciesMs,
    setupMs,
    rssAfterSetup,
    peakRss: peak,
    tokenizeMs: 0,
    notes: [attention],
  };
}

/** One forward pass over rows of equal length, no padding. */
async function runRows(session: ort.InferenceSession, rows: number[][]): Promise<void> {
  const seq = rows[0].length;
  const ids = BigInt64Array.from(rows.flat(), (id) => BigInt(id));
  const dims = [rows.length, seq];
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
  };
  await session.run(feeds, [HIDDEN]);
}
