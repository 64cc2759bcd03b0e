// Exact, chunked attention: rewrites each self-attention block of an encoder
// graph so that its [B, heads, S, S] scores are computed a slice of query rows
// at a time, inside an ONNX Loop, instead of all at once. An 8192-token text
// otherwise needs 16 × 8192² × 4 B = 4.3 GB per score tensor (and softmax
// makes a second one); in slices of 512 query rows it needs 1/16 of that.
//
// A block is found by its shape in the dataflow, not by node names:
//   MatMul(Q, Kᵀ) → [Add | Sub | Mul | Div | Where | Cast | Identity]* → Softmax(last axis)
//   → [Identity | Cast | Dropout]* → MatMul(·, V)
// where every tensor in between has a single consumer. Each query row of
// attention depends on its own row of Q only (and on all of K and V), so
// slicing Q along its second-to-last axis, and any side input whose
// second-to-last axis is not broadcast, gives the same rows. Side inputs are
// sliced at run time only when that axis is longer than 1.
//
// The slice length is a graph input with a default (CHUNK_INPUT), so a caller
// can verify a rewritten graph on its own: a run with tiny slices must equal a
// run with one slice, which is the original computation (see backbone-session.ts).
//
// For inputs whose query rows fit in one slice (every batch of texts up to
// `queryRows` tokens, lone queries above all), an If runs the block's
// original nodes instead of a one-trip Loop (ChunkOptions.shortBranch): less
// work than slicing Q and the mask once and concatenating one slice, by a few
// per cent of a lone query's CPU time (bench/fusions.ts, BENCHMARKS.md).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.IModelProto;
type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;
type Long = { toNumber(): number };

export const CHUNK_INPUT = 'bge_m3_attention_query_rows';
const P = 'bge_m3_chunk';
const INT64 = onnx.TensorProto.DataType.INT64;

const CHAIN_BEFORE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where', 'Cast', 'Identity']);
const CHAIN_AFTER = new Set(['Identity', 'Cast', 'Dropout']);

export interface ChunkOptions {
  /** Inputs of at most `queryRows` query rows run the block's original nodes, through an If, instead of a one-trip Loop. */
  shortBranch: boolean;
  /**
   * Declares each block's output as [batch, ?, sequence, ?], those two dims
   * taken from the graph input input_ids (a self-attention block's output has
   * a row per query, that is per token of each text). onnxruntime's fusions
   * need shapes, which they find none of behind a Loop or If: with the hint
   * they fuse each residual Add and LayerNormalization into
   * SkipLayerNormalization, as on the unmodified graph. Off by default: that
   * fusion made int8 batches of 8 × 128 tokens about 25 % slower here
   * (bench/fusions.ts).
   */
  shapeHint: boolean;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { shortBranch: true, shapeHint: false };

export interface ChunkedModel {
  bytes: Uint8Array;
  /** Attention blocks rewritten; 0 means the model came back unchanged. */
  blocks: number;
}

interface Block {
  nodes: Node[];
  q: string;
  v: string;
  /** Inputs of the chain between the two MatMuls that come from outside it, except Kᵀ. */
  sideInputs: string[];
  output: string;
}

/** Rewrites every attention block found; `queryRows` is the default slice length. */
export function chunkAttention(modelBytes: Uint8Array, queryRows: number, opts: ChunkOptions = DEFAULT_CHUNK_OPTIONS): ChunkedModel {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const index = new GraphIndex(graph, opsetOf(model));
  const blocks = (graph.node ?? [])
    .filter((n) => n.opType === 'Softmax')
    .map((s) => index.block(s))
    .filter((b): b is Block => b !== null);
  if (blocks.length === 0) return { bytes: modelBytes, blocks: 0 };
  addSharedInputs(graph, queryRows);
  const elemType = graph.output?.[0]?.type?.tensorType?.elemType ?? onnx.TensorProto.DataType.FLOAT;
  blocks.forEach((b, k) => replaceBlock(graph, b, k, elemType, index, opts.shortBranch));
  const hint = opts.shapeHint ? outputShape(graph) : null;
  if (hint) for (const b of blocks) graph.valueInfo!.push({ name: b.output, type: { tensorType: { elemType, shape: { dim: hint } } } });
  return { bytes: onnx.ModelProto.encode(model).finish(), blocks: blocks.length };
}

function num(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return NaN;
  return typeof v === 'number' ? v : v.toNumber();
}

function opsetOf(model: Model): number {
  return num(model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version) || 1;
}

function attr(n: Node, name: string) {
  return n.attribute?.find((a) => a.name === name);
}

/** Producers, consumers and constants of a graph, for walking its dataflow. */
class GraphIndex {
  private readonly producer = new Map<string, Node>();
  private readonly consumers = new Map<string, Node[]>();
  private readonly outputs: Set<string>;
  private readonly constDims = new Map<string, number[]>();

  constructor(
    graph: Graph,
    private readonly opset: number,
  ) {
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const i of n.input ?? []) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
      if (n.opType === 'Constant') {
        const t = attr(n, 'value')?.t;
        if (t) this.constDims.set(n.output![0], (t.dims ?? []).map(num));
      }
    }
    for (const t of graph.initializer ?? []) this.constDims.set(t.name!, (t.dims ?? []).map(num));
    this.outputs = new Set((graph.output ?? []).map((o) => o.name!));
  }

  /** Whether `name` feeds exactly one node and is not a graph output. */
  private singleUse(name: string): boolean {
    return (this.consumers.get(name)?.length ?? 0) === 1 && !this.outputs.has(name);
  }

  /** Dims of an initializer or Constant, if `name` is one. */
  dims(name: string): number[] | undefined {
    return this.constDims.get(name);
  }

  block(softmax: Node): Block | null {
    const up = this.walkUp(softmax.input![0]);
    if (!up) return null;
    const [first, chain, sideInputs] = up;
    if (!this.softmaxOnLastAxis(softmax, first)) return null;
    const after: Node[] = [];
    let t = softmax.output![0];
    for (;;) {
      if (!this.singleUse(t)) return null;
      const next = this.consumers.get(t)![0];
      if (next.opType === 'MatMul' && next.input![0] === t) {
        return { nodes: [first, ...chain, softmax, ...after, next], q: first.input![0], v: next.input![1], sideInputs, output: next.output![0] };
      }
      if (!CHAIN_AFTER.has(next.opType!) || (next.output ?? []).slice(1).some((o) => o && this.consumers.has(o))) return null;
      after.push(next);
      t = next.output![0];
    }
  }

  /** From the scores back to MatMul(Q, Kᵀ): [that MatMul, the chain in order, the chain's side inputs]. */
  private walkUp(t: string): [Node, Node[], string[]] | null {
    const chain: Node[] = [];
    const side: string[] = [];
    for (let steps = 0; steps < 8; steps++) {
      if (!this.singleUse(t)) return null;
      const n = this.producer.get(t);
      if (!n) return null;
      if (n.opType === 'MatMul') return [n, chain.reverse(), side];
      if (!CHAIN_BEFORE.has(n.opType!)) return null;
      const inputs = n.input!.filter(Boolean);
      const onPath = inputs.filter((i) => this.leadsToMatMul(i));
      if (onPath.length !== 1) return null;
      chain.push(n);
      side.push(...inputs.filter((i) => i !== onPath[0]));
      t = onPath[0];
    }
    return null;
  }

  private leadsToMatMul(t: string, depth = 0): boolean {
    const n = this.producer.get(t);
    if (!n || depth > 8) return false;
    if (n.opType === 'MatMul') return true;
    return CHAIN_BEFORE.has(n.opType!) && n.input!.some((i) => i && this.leadsToMatMul(i, depth + 1));
  }

  /** Softmax must normalise over the keys, the last axis; older opsets flatten from `axis` on. */
  private softmaxOnLastAxis(softmax: Node, scores: Node): boolean {
    const a = attr(softmax, 'axis');
    const axis = a ? num(a.i) : this.opset >= 13 ? -1 : 1;
    if (axis === -1) return true;
    const rank = this.rank(scores.input![0]);
    return rank !== undefined && axis === rank - 1;
  }

  /** The rank of a tensor when a Transpose or a constant-shape Reshape upstream tells it. */
  private rank(t: string, depth = 0): number | undefined {
    const n = this.producer.get(t);
    if (!n || depth > 8) return this.dims(t)?.length;
    if (n.opType === 'Transpose') return attr(n, 'perm')?.ints?.length;
    if (n.opType === 'Reshape') return this.dims(n.input![1])?.[0];
    if (CHAIN_BEFORE.has(n.opType!)) return this.rank(n.input![0], depth + 1);
    return undefined;
  }
}

function int64Init(name: string, values: number[], dims: number[]): onnxProto.onnx.ITensorProto {
  const data = BigInt64Array.from(values, BigInt);
  return { name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

/** The slice-length input (with its default) and the constants every Loop uses. */
function addSharedInputs(graph: Graph, queryRows: number): void {
  graph.initializer!.push(
    int64Init(CHUNK_INPUT, [queryRows], []),
    int64Init(`${P}_minus2`, [-2], []),
    int64Init(`${P}_one`, [1], []),
    int64Init(`${P}_axes`, [-2], [1]),
    int64Init(`${P}_zero1`, [0], [1]),
    int64Init(`${P}_one1`, [1], [1]),
    int64Init(`${P}_shape1`, [1], [1]),
  );
  graph.input!.push({ name: CHUNK_INPUT, type: { tensorType: { elemType: INT64, shape: { dim: [] } } } });
}

const node = (opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): Node => ({
  opType,
  input,
  output,
  name: output[0],
  attribute,
});

/** [batch, ?, sequence, ?] after input_ids' dims, or null when the graph has no rank-2 input_ids. */
function outputShape(graph: Graph): onnxProto.onnx.TensorShapeProto.IDimension[] | null {
  const dims = graph.input?.find((i) => i.name === 'input_ids')?.type?.tensorType?.shape?.dim;
  return dims?.length === 2 ? [dims[0], {}, dims[1], {}] : null;
}

const graphAttr = (name: string, g: Graph): onnxProto.onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.GRAPH, g });

/**
 * Replaces a block's nodes, in place of its last MatMul, by a Loop over slices
 * of query rows; with `shortBranch`, by an If that runs that Loop only when
 * the rows exceed one slice, and the original nodes otherwise.
 */
function replaceBlock(graph: Graph, b: Block, k: number, elemType: number, index: GraphIndex, shortBranch: boolean): void {
  const x = (s: string) => `${P}${k}_${s}`;
  const rows: Node[] = [
    node('Shape', [b.q], [x('q_shape')]),
    node('Gather', [x('q_shape'), `${P}_minus2`], [x('rows')], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
  ];
  const loop = (output: string): Node[] => [
    node('Sub', [CHUNK_INPUT, `${P}_one`], [x('chunk_minus1')]),
    node('Add', [x('rows'), x('chunk_minus1')], [x('rows_up')]),
    node('Div', [x('rows_up'), CHUNK_INPUT], [x('trips')]),
    node('Slice', [b.v, `${P}_zero1`, `${P}_zero1`, `${P}_axes`], [x('empty')]),
    { ...node('Loop', [x('trips'), '', x('empty')], [output]), attribute: [graphAttr('body', loopBody(b, k, elemType, index))] },
  ];
  const outer = shortBranch ? [...rows, node('Greater', [x('rows'), CHUNK_INPUT], [x('long')]), ifNode(b, x, elemType, loop)] : [...rows, ...loop(b.output)];
  const at = graph.node!.indexOf(b.nodes.at(-1)!);
  graph.node!.splice(at, 1, ...outer);
  for (const n of b.nodes.slice(0, -1)) graph.node!.splice(graph.node!.indexOf(n), 1);
  // Shapes recorded for tensors that now live inside the Loop would name tensors that no longer exist.
  const gone = new Set(b.nodes.slice(0, -1).flatMap((n) => n.output ?? []));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => !gone.has(v.name!));
}

/** If(long): the Loop, else the block's own nodes, each branch ending in a tensor of its own. */
function ifNode(b: Block, x: (s: string) => string, elemType: number, loop: (output: string) => Node[]): Node {
  const branch = (name: string, nodes: Node[], output: string): Graph => ({
    name: x(name),
    node: nodes,
    output: [{ name: output, type: { tensorType: { elemType } } }],
  });
  const last = b.nodes.at(-1)!;
  const whole = [...b.nodes.slice(0, -1), { ...last, output: [x('whole')] }];
  return {
    ...node('If', [x('long')], [b.output]),
    attribute: [graphAttr('then_branch', branch('sliced', loop(x('sliced')), x('sliced'))), graphAttr('else_branch', branch('whole', whole, x('whole')))],
  };
}

function loopBody(b: Block, k: number, elemType: number, index: GraphIndex): Graph {
  const x = (s: string) => `${P}${k}_body_${s}`;
  const nodes: Node[] = [
    node('Mul', [x('i'), CHUNK_INPUT], [x('start')]),
    node('Add', [x('start'), CHUNK_INPUT], [x('end')]),
    node('Reshape', [x('start'), `${P}_shape1`], [x('start1')]),
    node('Reshape', [x('end'), `${P}_shape1`], [x('end1')]),
    node('Slice', [b.q, x('start1'), x('end1'), `${P}_axes`], [x('q')]),
  ];
  const renamed = new Map<string, string>([[b.q, x('q')]]);
  b.sideInputs.forEach((side, s) => {
    const dims = index.dims(side);
    if (dims && (dims.length < 2 || dims.at(-2) === 1)) return; // broadcast over query rows: use whole
    const y = (t: string) => x(`side${s}_${t}`);
    nodes.push(
      node('Shape', [side], [y('shape')]),
      node('Gather', [y('shape'), `${P}_minus2`], [y('rows')], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Equal', [y('rows'), `${P}_one`], [y('broadcast')]),
      node('Where', [y('broadcast'), `${P}_zero1`, x('start1')], [y('start')]),
      node('Where', [y('broadcast'), `${P}_one1`, x('end1')], [y('end')]),
      node('Slice', [side, y('start'), y('end'), `${P}_axes`], [y('rows_slice')]),
    );
    renamed.set(side, y('rows_slice'));
  });
  for (const n of b.nodes) {
    const copy: Node = { ...n, name: x(n.name || n.output![0]), input: n.input!.map((i) => renamed.get(i) ?? i), output: n.output!.map((o) => (o ? x(o) : o)) };
    n.output!.forEach((o) => o && renamed.set(o, x(o)));
    nodes.push(copy);
  }
  nodes.push(
    node('Concat', [x('acc_in'), renamed.get(b.output)!], [x('acc_out')], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -2 }]),
    node('Identity', [x('cond_in')], [x('cond_out')]),
  );
  const scalar = (name: string, elem: number) => ({ name, type: { tensorType: { elemType: elem, shape: { dim: [] } } } });
  const tensor = (name: string) => ({ name, type: { tensorType: { elemType } } });
  return {
    name: x('graph'),
    node: nodes,
    input: [scalar(x('i'), INT64), scalar(x('cond_in'), onnx.TensorProto.DataType.BOOL), tensor(x('acc_in'))],
    output: [scalar(x('cond_out'), onnx.TensorProto.DataType.BOOL), tensor(x('acc_out'))],
  };
}
