// The peer: @huggingface/transformers' feature-extraction pipeline on the same
// model files, local only, CLS pooling + normalization (BGE-M3's dense vector).
// Each request is embedded in calls of at most 12 texts in arrival order
// (the pipeline pads each call to its longest text), as a user would batch it.
import path from 'node:path';
import { driveClients } from '../clients.ts';
import type { ChildJob, RunResult, WorkloadData } from '../types.ts';
import { peakRss, realTokens } from './measure.ts';

export const PEER_BATCH_SIZE = 12;

export async function runTransformersJs(job: ChildJob, w: WorkloadData): Promise<RunResult> {
  const setupStart = performance.now();
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${path.dirname(job.transformersDir)}/`;
  const extractor = await pipeline('feature-extraction', path.basename(job.transformersDir), {
    dtype: 'fp32',
    device: 'cpu',
    local_files_only: true,
  });
  const embed = (texts: string[]) => extractor(texts, { pooling: 'cls', normalize: true });
  await embed(['warm up']);
  const setupMs = performance.now() - setupStart;
  const rssAfterSetup = process.memoryUsage().rss;

  let ranTokens = 0;
  let batches = 0;
  const run = await driveClients(w, async (texts) => {
    for (const chunk of chunks(
      texts.map((t) => t.text),
      PEER_BATCH_SIZE,
    )) {
      const out = await embed(chunk);
      if (out.dims[0] !== chunk.length) throw new Error(`transformers.js returned ${out.dims[0]} vectors for ${chunk.length} texts`);
      batches++;
    }
  });
  const peak = peakRss();
  const tokenizeStart = performance.now();
  for (const request of w.requests) {
    for (const chunk of chunks(
      request.map((i) => w.texts[i].text),
      PEER_BATCH_SIZE,
    )) {
      const enc = extractor.tokenizer(chunk, { padding: true, truncation: true });
      ranTokens += enc.input_ids.dims[0] * enc.input_ids.dims[1];
    }
  }
  const tokenizeMs = performance.now() - tokenizeStart;
  await extractor.dispose();
  return {
    system: 'transformers-js',
    workload: w.name,
    wallMs: run.wallMs,
    texts: w.texts.length,
    tokens: realTokens(w),
    ranTokens,
    batches,
    latenciesMs: run.latenciesMs,
    setupMs,
    rssAfterSetup,
    peakRss: peak,
    tokenizeMs,
    notes: [],
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
