// BGE-M3 in onnxruntime: the backbone session plus, for exports without the
// heads inside the graph, the head graphs built from the .pt files. One call
// runs one padded batch and returns each text's outputs.
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { HEAD_INPUT, HEAD_MASK, HEAD_OUTPUT, POOL_WEIGHTS, colbertHeadGraph, poolHeadGraph, type Linear } from '../heads/heads-graph.ts';
import { denseHead, sparseHead, type Hidden } from '../heads/small-heads.ts';
import { MODEL_ID } from '../model-facts.ts';
import type { ModelFiles } from '../weights/model-files.ts';
import { openBackbone } from './backbone-session.ts';
import type { Int8WeightChoice, Int8WeightsSetting } from './int8-weights.ts';
import { loadPrecision, type Precision } from './precision.ts';
import type { QuantizeOptions } from './quantize-matmuls.ts';
import { loadLinearPt } from '../torch/linear-pt.ts';
import { padBatch } from '../batching/pad-batch.ts';
import { poolWeights } from './pool-weights.ts';
import type { Need, Pool, TextEmbedding, TokenIds } from '../types.ts';

type HeadNames = { dense: string; sparse: string; colbert: string };
export type Layout = { kind: 'backbone'; hidden: string } | { kind: 'heads-in-graph'; outputs: HeadNames };

const HIDDEN_OUTPUTS = ['token_embeddings', 'last_hidden_state'];
const IN_GRAPH_HEADS: HeadNames[] = [
  { dense: 'dense_vecs', sparse: 'sparse_vecs', colbert: 'colbert_vecs' },
  { dense: 'dense_embeddings', sparse: 'sparse_weights', colbert: 'colbert_vectors' },
];

export interface SessionSettings {
  intraOpThreads?: number;
  /** onnxruntime's threads wait for the next operator spinning instead of sleeping (BGE_M3_SPIN_THREADS). */
  spinThreads?: boolean;
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Query rows per attention slice (onnx/backbone-session.ts); 0 runs attention whole. */
  attentionRows?: number;
  /** 'int8' runs the backbone's weight MatMuls dynamically quantized (onnx/precision.ts); default 'fp32'. */
  precision?: Precision;
  /** 8-bit or 7-bit int8 weights; 'auto' (the default) decides by the CPU (onnx/int8-weights.ts). */
  int8Weights?: Int8WeightsSetting;
  /** CPU flags to decide by instead of /proc/cpuinfo's, for tests; null means unknown. */
  cpuFlags?: string[] | null;
  /** Overrides of the int8 rewrite's choices, for the studies in bench/. */
  quantize?: Partial<QuantizeOptions>;
  /** Where the int8 model is cached; default beside the model file. */
  int8CacheRoot?: string;
}

export function detectLayout(outputs: readonly string[]): Layout | null {
  const heads = IN_GRAPH_HEADS.find((h) => Object.values(h).every((n) => outputs.includes(n)));
  if (heads) return { kind: 'heads-in-graph', outputs: heads };
  const hidden = HIDDEN_OUTPUTS.find((n) => outputs.includes(n));
  return hidden ? { kind: 'backbone', hidden } : null;
}

/** The heads for exports that output hidden states: dense and sparse in code (heads/small-heads.ts), the others as graphs. */
interface Heads {
  sparse: Linear;
  colbert: ort.InferenceSession;
  pool: ort.InferenceSession;
}

export class BgeM3Onnx {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly layout: Layout,
    private readonly heads: Heads | null,
    private readonly needsTokenTypes: boolean,
    /** Rows per run when the export fixed its batch dimension, else null. */
    readonly fixedBatch: number | null,
    /** How attention runs (sliced or not, and why), for the setup log. */
    readonly attention: string,
    /** What precision the backbone runs in, and how it got there, for the setup log. */
    readonly precision: string,
    /** For int8: which weights were chosen, and why. */
    readonly int8Weights?: Int8WeightChoice,
  ) {}

  static async load(files: ModelFiles, settings: SessionSettings = {}): Promise<BgeM3Onnx> {
    const options = sessionOptions(settings);
    const { modelPath, description, int8Weights } = await loadPrecision(files.model, settings);
    const { session, attention } = await openBackbone(modelPath, options, settings.attentionRows).catch((err: Error) => {
      throw new Error(
        `onnxruntime could not load ${files.model}: ${err.message}. If the model has external data (model.onnx_data), it must sit beside the model file; a partial download also causes this: run \`npm run weights\` again.`,
      );
    });
    const layout = detectLayout(session.outputNames);
    if (!layout) throw new Error(unknownLayoutMessage(files, session));
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name))
        throw new Error(`${files.model} has inputs [${session.inputNames.join(', ')}]; a BGE-M3 export takes input_ids and attention_mask.`);
    }
    const heads = layout.kind === 'backbone' ? await loadHeads(files, options) : null;
    return new BgeM3Onnx(session, layout, heads, session.inputNames.includes('token_type_ids'), fixedBatchOf(session), attention, description, int8Weights);
  }

  /**
   * `pools[r]`, when given, asks for text r's pooled vectors (TextEmbedding.pooled):
   * the pool head then runs on the same hidden states, so a batch without pools
   * pays nothing for it. Needs an export that outputs hidden states.
   */
  async run(batch: TokenIds[], need: Need, pools?: readonly (Pool[] | undefined)[]): Promise<TextEmbedding[]> {
    const asked = pools?.some((p) => p?.length) ? pools : undefined;
    if (asked && this.layout.kind !== 'backbone') throw new Error(NO_HIDDEN_STATES);
    const rows = Math.max(batch.length, this.fixedBatch ?? 0);
    const { ids, mask, seq } = padBatch(batch, rows);
    const dims = [rows, seq];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
    };
    if (this.needsTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
    const out =
      this.layout.kind === 'backbone'
        ? await this.runHeads(
            await this.backbone(feeds, this.layout.hidden),
            feeds.attention_mask,
            need,
            asked &&
              poolWeights(
                asked,
                batch.map((t) => t.length),
                rows,
                seq,
              ),
          )
        : await this.runInGraph(feeds, this.layout.outputs, need);
    return batch.map((tokens, row) => sliceRow(out, row, tokens.length, seq, asked?.[row]?.length ?? 0));
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.heads) await Promise.all([this.heads.colbert.release(), this.heads.pool.release()]);
  }

  private async backbone(feeds: Record<string, ort.Tensor>, hidden: string): Promise<ort.Tensor> {
    return (await this.session.run(feeds, [hidden]))[hidden] as ort.Tensor;
  }

  private async runHeads(hidden: ort.Tensor, mask: ort.Tensor, need: Need, pool?: ort.Tensor): Promise<BatchOutputs> {
    const h = this.heads!;
    const head = async (s: ort.InferenceSession, feeds: Record<string, ort.Tensor>) => floats((await s.run(feeds))[HEAD_OUTPUT]);
    const [rows, seq, dim] = hidden.dims;
    const states: Hidden = { data: hidden.data as Float32Array, rows, seq, dim };
    return {
      dense: need.dense ? { data: denseHead(states), dims: [rows, dim] } : undefined,
      sparse: need.sparse ? { data: sparseHead(states, h.sparse), dims: [rows, seq] } : undefined,
      colbert: need.colbert ? await head(h.colbert, { [HEAD_INPUT]: hidden, [HEAD_MASK]: mask }) : undefined,
      pooled: pool ? await head(h.pool, { [HEAD_INPUT]: hidden, [POOL_WEIGHTS]: pool }) : undefined,
    };
  }

  private async runInGraph(feeds: Record<string, ort.Tensor>, names: HeadNames, need: Need): Promise<BatchOutputs> {
    const fetches = (['dense', 'sparse', 'colbert'] as const).filter((k) => need[k]).map((k) => names[k]);
    const r = fetches.length ? await this.session.run(feeds, fetches) : {};
    const get = (k: keyof HeadNames) => (need[k] ? floats(r[names[k]]) : undefined);
    return { dense: get('dense'), sparse: get('sparse'), colbert: get('colbert') };
  }
}

/** A float32 output of a batch; an ort.Tensor is one. */
interface Output {
  data: Float32Array;
  dims: readonly number[];
}

function floats(t: ort.Tensor): Output {
  if (t.type !== 'float32') throw new Error(`expected a float32 output, got ${t.type}`);
  return { data: t.data as Float32Array, dims: t.dims };
}

interface BatchOutputs {
  dense?: Output;
  sparse?: Output;
  colbert?: Output;
  pooled?: Output;
}

const NO_HIDDEN_STATES =
  'This export computes the heads inside its graph and outputs no hidden states, which pooled vectors (MCLS, contextual chunks) are made from; use an export with token_embeddings or last_hidden_state (the official onnx/ export).';

/** Cuts row `row` out of the batch outputs, dropping padding (and the pool rows it did not ask for). */
function sliceRow(out: BatchOutputs, row: number, n: number, seq: number, pools: number): TextEmbedding {
  const result: TextEmbedding = {};
  if (out.dense) {
    const d = out.dense.dims[1];
    result.dense = out.dense.data.slice(row * d, (row + 1) * d);
  }
  if (out.sparse) result.tokenWeights = out.sparse.data.slice(row * seq, row * seq + n);
  if (out.colbert) {
    const [, rows, d] = out.colbert.dims;
    const start = row * rows * d;
    result.colbert = out.colbert.data.slice(start, start + (n - 1) * d);
  }
  if (out.pooled && pools) {
    const [, k, d] = out.pooled.dims;
    result.pooled = out.pooled.data.slice(row * k * d, (row * k + pools) * d);
  }
  return result;
}

async function loadHeads(files: ModelFiles, options: ort.InferenceSession.SessionOptions): Promise<Heads> {
  const missing = [!files.sparseHead && 'sparse_linear.pt', !files.colbertHead && 'colbert_linear.pt'].filter(Boolean);
  if (missing.length) {
    throw new Error(
      `${files.model} outputs hidden states only, so BGE-M3's heads must come from ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not in ${files.dir} (found: ${files.seen.join(', ')}). Download them from ${MODEL_ID} (\`npm run weights\` does).`,
    );
  }
  const sparse: Linear = await loadLinearPt(files.sparseHead!);
  const colbert: Linear = await loadLinearPt(files.colbertHead!);
  if (sparse.inFeatures !== colbert.inFeatures) {
    throw new Error(`Head files disagree: sparse_linear.pt takes ${sparse.inFeatures} features, colbert_linear.pt ${colbert.inFeatures}.`);
  }
  const create = (model: Uint8Array) => ort.InferenceSession.create(model, options);
  if (sparse.outFeatures !== 1) throw new Error(`sparse_linear.pt must map to 1 output, got ${sparse.outFeatures}.`);
  return {
    sparse,
    colbert: await create(colbertHeadGraph(colbert)),
    pool: await create(poolHeadGraph(colbert.inFeatures)),
  };
}

/**
 * Measured on the full-size model (bench/session-options.ts and bench/run.ts,
 * BENCHMARKS.md): one thread per core doubles throughput over one thread; the
 * memory arena must stay on (without it, attention slices are allocated and
 * page-faulted afresh each time: long texts take 1.5× as long and peak
 * higher); threads sleep between operators unless spinThreads is set:
 * spinning cuts a lone query's latency by about 30 % (fp32 and int8) but
 * costs 5-11 % of throughput with 16 concurrent clients, whose tokenizing and
 * output building on the main thread then fight spinning threads for the
 * cores. Graph optimization level and memory pattern change nothing measurable.
 */
export function sessionOptions(s: SessionSettings = {}): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: s.graphOptimization ?? 'all',
    intraOpNumThreads: s.intraOpThreads ?? os.availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    extra: { session: { intra_op: { allow_spinning: s.spinThreads ? '1' : '0' } } },
  };
}

function fixedBatchOf(session: ort.InferenceSession): number | null {
  const meta = session.inputMetadata.find((m) => m.name === 'input_ids');
  const dim = meta?.isTensor ? meta.shape[0] : undefined;
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

function unknownLayoutMessage(files: ModelFiles, session: ort.InferenceSession): string {
  return [
    `Unknown BGE-M3 ONNX layout in ${files.model}: outputs [${session.outputNames.join(', ')}], inputs [${session.inputNames.join(', ')}].`,
    `Files found in ${files.dir}: ${files.seen.join(', ')}.`,
    `Expected one of: token_embeddings (the official ${MODEL_ID} onnx/ export) or last_hidden_state, each with sparse_linear.pt and colbert_linear.pt;`,
    'or the heads inside the graph as dense_vecs/sparse_vecs/colbert_vecs or dense_embeddings/sparse_weights/colbert_vectors.',
  ].join(' ');
}
