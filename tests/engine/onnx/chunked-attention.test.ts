// Attention computed in slices of query rows must equal attention computed
// whole: on small attention graphs against a float64 oracle, and on the
// generated BGE-M3 models against their own unmodified graphs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { openBackbone } from '../../../src/engine/onnx/backbone-session.ts';
import { CHUNK_INPUT, type ChunkOptions, chunkAttention, DEFAULT_CHUNK_OPTIONS } from '../../../src/engine/onnx/chunked-attention.ts';
import { DataType, type Dim, GraphBuilder } from '../../../src/engine/onnx/graph-builder.ts';
import { sessionOptions } from '../../../src/engine/onnx/onnx-model.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

const B = 2;
const HEADS = 3;
const S = 7;
const D = 4;

/** softmax(q·kᵀ / 2 + mask)·v, one attention block over graph inputs; `maskDims` picks how the mask broadcasts. */
function attentionGraph(maskDims: Dim[], opts: { probsAsOutput?: boolean } = {}): Uint8Array {
  const g = new GraphBuilder();
  const q = g.input('q', DataType.FLOAT, [B, HEADS, 'S', D]);
  const kT = g.input('kT', DataType.FLOAT, [B, HEADS, D, 'S']);
  const v = g.input('v', DataType.FLOAT, [B, HEADS, 'S', D]);
  const mask = g.input('mask', DataType.FLOAT, maskDims);
  const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, kT]), g.init('two', new Float32Array([2]), [])]), mask]);
  const probs = g.op('Softmax', [scores], { axis: -1 }, 'probs');
  g.op('MatMul', [probs, v], {}, 'out');
  g.output('out', DataType.FLOAT, [B, HEADS, 'S', D]);
  if (opts.probsAsOutput) g.output('probs', DataType.FLOAT, [B, HEADS, 'S', 'S']);
  return g.build({ opset: 17 }).model;
}

type Arrays = Record<'q' | 'kT' | 'v' | 'mask', { data: Float32Array; dims: number[] }>;

function inputs(maskDims: number[], seed: number): Arrays {
  const random = seededRandom(seed);
  const make = (dims: number[], f: () => number) => ({ data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, f), dims });
  return {
    q: make([B, HEADS, S, D], () => random() * 2 - 1),
    kT: make([B, HEADS, D, S], () => random() * 2 - 1),
    v: make([B, HEADS, S, D], () => random() * 2 - 1),
    mask: make(maskDims, () => (random() < 0.3 ? -1e9 : random())),
  };
}

/** The same attention in float64, row by row, with NumPy-style broadcasting of the mask. */
function oracle(x: Arrays): Float64Array {
  const out = new Float64Array(B * HEADS * S * D);
  const m = x.mask.dims;
  const maskAt = (b: number, h: number, i: number, j: number) => {
    const idx = [b, h, i, j].map((v, a) => (m[a] === 1 ? 0 : v));
    return x.mask.data[((idx[0] * m[1] + idx[1]) * m[2] + idx[2]) * m[3] + idx[3]];
  };
  for (let b = 0; b < B; b++)
    for (let h = 0; h < HEADS; h++)
      for (let i = 0; i < S; i++) {
        const base = (b * HEADS + h) * S;
        const scores = Array.from({ length: S }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += x.q.data[(base + i) * D + d] * x.kT.data[((b * HEADS + h) * D + d) * S + j];
          return dot / 2 + maskAt(b, h, i, j);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < D; d++) out[(base + i) * D + d] = e.reduce((acc, w, j) => acc + (w / total) * x.v.data[(base + j) * D + d], 0);
      }
  return out;
}

async function runAttention(model: Uint8Array, x: Arrays, rows?: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = Object.fromEntries(Object.entries(x).map(([k, t]) => [k, new ort.Tensor('float32', t.data, t.dims)]));
  if (rows !== undefined) feeds[CHUNK_INPUT] = new ort.Tensor('int64', BigInt64Array.from([BigInt(rows)]), []);
  return (await session.run(feeds, ['out'])).out.data as Float32Array;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tol, `${what}: differs by ${worst}`);
}

const MASKS: [string, number[]][] = [
  ['a key-padding mask [B, 1, 1, S]', [B, 1, 1, S]],
  ['a full mask [B, 1, S, S], sliced with the queries', [B, 1, S, S]],
  ['a per-head mask [B, heads, S, S]', [B, HEADS, S, S]],
];

for (const [what, maskDims] of MASKS) {
  test(`sliced attention equals a float64 oracle with ${what}`, async () => {
    const { bytes, blocks } = chunkAttention(attentionGraph(maskDims.map((d) => (d === S ? 'S' : d))), 2);
    assert.equal(blocks, 1);
    const x = inputs(maskDims, maskDims.length + maskDims[2]);
    const want = oracle(x);
    for (const rows of [1, 2, 3, S, 100]) assertClose(await runAttention(bytes, x, rows), want, 1e-5, `${rows} query rows per slice`);
  });
}

test('a block whose intermediate is used elsewhere is left alone', () => {
  const model = attentionGraph([B, 1, 1, 'S'], { probsAsOutput: true });
  const { bytes, blocks } = chunkAttention(model, 2);
  assert.equal(blocks, 0);
  assert.equal(bytes, model);
});

test('graphs without attention come back unchanged', () => {
  const g = new GraphBuilder();
  g.op('Softmax', [g.input('x', DataType.FLOAT, [2, 3])], { axis: -1 }, 'y');
  g.output('y', DataType.FLOAT, [2, 3]);
  const model = g.build().model;
  assert.equal(chunkAttention(model, 4).blocks, 0);
});

/** A padded batch of three texts (23, 9 and 4 tokens) for a generated model's vocabulary. */
function paddedBatch(seed: number): Record<string, ort.Tensor> {
  const random = seededRandom(seed);
  const rows = 3;
  const seq = 23;
  const lengths = [23, 9, 1 + 3];
  const ids = BigInt64Array.from({ length: rows * seq }, (_, i) => (i % seq < lengths[Math.floor(i / seq)] ? BigInt(4 + Math.floor(random() * 3990)) : 1n));
  const mask = ids.map((id) => (id === 1n ? 0n : 1n));
  return { input_ids: new ort.Tensor('int64', ids, [rows, seq]), attention_mask: new ort.Tensor('int64', mask, [rows, seq]) };
}

// 3 query rows per slice runs the Loop on the 23-token batch; 64 fits it in one slice, which the If runs as the original nodes.
const VARIANTS: [string, number, ChunkOptions][] = [
  ['sliced attention (the Loop, behind the If)', 3, DEFAULT_CHUNK_OPTIONS],
  ['sliced attention with the shape hint', 3, { shortBranch: true, shapeHint: true }],
  ["the If's short branch (the original nodes)", 64, DEFAULT_CHUNK_OPTIONS],
  ['the Loop alone, without If or shape hint', 3, { shortBranch: false, shapeHint: false }],
  ['a one-trip Loop, without If or shape hint', 64, { shortBranch: false, shapeHint: false }],
];

for (const [what, rows, chunk] of VARIANTS) {
  test(`on every generated BGE-M3 layout, ${what} equals the unmodified graph on padded batches`, async () => {
    const models = await ensureTestModels();
    for (const [layout, dir] of Object.entries(models.dirs)) {
      const files = await findModelFiles(dir);
      const original = await ort.InferenceSession.create(files.model, sessionOptions());
      const { session, attention } = await openBackbone(files.model, sessionOptions(), rows, chunk);
      assert.match(attention, new RegExp(`slices of ${rows} query rows \\(2 blocks, verified\\)`), layout);
      const feeds = paddedBatch(layout.length);
      const want = await original.run(feeds);
      const got = await session.run(feeds);
      for (const name of original.outputNames) assertClose(got[name].data as Float32Array, want[name].data as Float32Array, 1e-5, `${layout} ${name}`);
      await Promise.all([original.release(), session.release()]);
    }
  });
}

/** Operator counts of the graph onnxruntime runs after its own optimizations (top level only). */
async function optimizedOps(model: string | Uint8Array, folder: string): Promise<Record<string, number>> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'optimized-')), 'model.onnx');
  const options = { ...sessionOptions(), logSeverityLevel: 3 as const, optimizedModelFilePath: out };
  const session = await (typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, { ...options, extra: { session: { model_external_initializers_file_folder_path: folder } } }));
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of onnxProto.onnx.ModelProto.decode(readFileSync(out)).graph?.node ?? []) counts[n.opType!] = (counts[n.opType!] ?? 0) + 1;
  return counts;
}

test('with the shape hint, onnxruntime fuses the residual Add and LayerNormalization after attention as on the unmodified graph', async () => {
  const files = await findModelFiles((await ensureTestModels()).dirs.official);
  const bytes = readFileSync(files.model);
  const folder = path.dirname(files.model);
  const original = await optimizedOps(files.model, folder);
  const hinted = await optimizedOps(chunkAttention(bytes, 3, { shortBranch: true, shapeHint: true }).bytes, folder);
  const bare = await optimizedOps(chunkAttention(bytes, 3, { shortBranch: true, shapeHint: false }).bytes, folder);
  assert.ok(original.SkipLayerNormalization > 0, 'the unmodified graph has SkipLayerNormalization');
  assert.equal(hinted.SkipLayerNormalization, original.SkipLayerNormalization);
  assert.equal(hinted.LayerNormalization ?? 0, original.LayerNormalization ?? 0);
  assert.ok((bare.SkipLayerNormalization ?? 0) < original.SkipLayerNormalization, 'without the hint the fusion is lost, so this test can fail');
});

test('when the rewritten graph fails its proof, the model opens unmodified', async () => {
  // A rank-1 scores bias computed at run time: slicing it along the query axis fails, so the proof catches it.
  const g = new GraphBuilder();
  const ids = g.input('input_ids', DataType.INT64, ['B', 'S']);
  g.input('attention_mask', DataType.INT64, ['B', 'S']);
  const x = g.op('Unsqueeze', [g.op('Cast', [ids], { to: DataType.FLOAT }), g.init('axes', new BigInt64Array([1n, 3n]), [2])]); // [B,1,S,1]
  const bias = g.op('ReduceSum', [g.op('Cast', [ids], { to: DataType.FLOAT }), g.init('axis0', new BigInt64Array([0n]), [1])], { keepdims: 0 }); // [S]
  const kT = g.op('Transpose', [x], { perm: [0, 1, 3, 2] });
  const probs = g.op('Softmax', [g.op('Add', [g.op('MatMul', [x, kT]), g.op('Mul', [bias, g.init('tiny', new Float32Array([1e-3]), [])])])], { axis: -1 });
  g.op('MatMul', [probs, x], {}, 'token_embeddings');
  g.output('token_embeddings', DataType.FLOAT, ['B', 1, 'S', 1]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chunked-'));
  const file = path.join(dir, 'model.onnx');
  writeFileSync(file, g.build({ opset: 17 }).model);
  const { session, attention } = await openBackbone(file, sessionOptions(), 2);
  assert.match(attention, /full attention \(chunking not used: the rewritten graph failed to run/);
  assert.ok(!session.inputNames.includes(CHUNK_INPUT), 'the unmodified graph was opened');
});
