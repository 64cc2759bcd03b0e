// Contextual chunks: each chunk's sparse weights and ColBERT rows are exact
// slices of its window's per-token outputs (the whole document's, when it fits
// one window), its dense vector the normalized mean of the hidden states at
// its tokens, computed here by hand from the bare backbone; windows never cut
// a chunk.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chunkOutputs, contextWindows, embedContextual } from '../../src/api/chunking/contextual.ts';
import type { ChunkPlan } from '../../src/api/chunking/types.ts';
import { BgeM3Onnx } from '../../src/engine/onnx/onnx-model.ts';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import type { Pool } from '../../src/engine/types.ts';
import { findModelFiles } from '../../src/engine/weights/model-files.ts';
import { maxAbsDiff, openLayout, run } from '../helpers/model/run-model.ts';
import { ensureTestModels, type TestModels } from '../helpers/model/test-models.ts';

const ALL = { dense: true, sparse: true, colbert: true };
const DOCUMENT = 'BGE M3 is an embedding model. Привет, мир! Γειά σου κόσμε. 東京は日本の首都です。 '.repeat(12);

let models: TestModels;
let model: BgeM3Onnx;
let doc: number[];
let dim: number;

before(async () => {
  models = await ensureTestModels();
  dim = models.config.hidden;
  model = await BgeM3Onnx.load(await findModelFiles(models.dirs.official), { intraOpThreads: 1 });
  const tokenizer = await BgeTokenizer.fromFile(`${models.dirs.official}/tokenizer.json`);
  doc = tokenizer.encode(DOCUMENT, 8192).ids;
});
after(() => model.release());

/** Chunks of `size` content tokens sharing `overlap` with the next, as the planner's ChunkPlans. */
function plans(size: number, overlap: number): ChunkPlan[] {
  const content = doc.slice(1, -1);
  const out: ChunkPlan[] = [];
  for (let s = 0; ; s += size - overlap) {
    const e = Math.min(s + size, content.length);
    out.push({ index: out.length, tokenStart: s, tokenEnd: e, start: 0, end: 0, cut: 'token', ids: [0, ...content.slice(s, e), 2] });
    if (e === content.length) return out;
  }
}

/** Each window on its own, as the scheduler would run a lone text. */
const runAlone = (ids: number[][], pools: Pool[][]) =>
  Promise.all(ids.map(async (w, i) => (await model.run([w], { dense: false, sparse: true, colbert: true }, [pools[i]]))[0]));

async function hiddenOf(ids: number[]): Promise<Float32Array> {
  return (await run(await openLayout(models, 'official'), [ids], [ids.map(() => 1)])).token_embeddings.data;
}

function meanByHand(hidden: Float32Array, from: number, to: number): number[] {
  const mean = Array.from({ length: dim }, (_, k) => {
    let s = 0;
    for (let p = from; p < to; p++) s += hidden[p * dim + k];
    return s / (to - from);
  });
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

test('a document in one window: every chunk is an exact slice of the whole document outputs', async () => {
  const chunks = plans(100, 20);
  assert.ok(doc.length > 400 && chunks.length >= 5, `${doc.length} tokens, ${chunks.length} chunks`);
  const out = await embedContextual(chunks, 8192, dim, runAlone);
  const [whole] = await model.run([doc], ALL);
  const hidden = await hiddenOf(doc);
  chunks.forEach((c, k) => {
    const [from, to] = [1 + c.tokenStart, 1 + c.tokenEnd];
    assert.deepEqual(out[k].tokenWeights!.subarray(1, -1), whole.tokenWeights!.subarray(from, to), `chunk ${k} sparse`);
    assert.deepEqual([out[k].tokenWeights![0], out[k].tokenWeights!.at(-1)], [0, 0]);
    // The last chunk also holds the document's </s> row.
    const rows = to - 1 + (k === chunks.length - 1 ? 1 : 0);
    assert.deepEqual(out[k].colbert, whole.colbert!.slice((from - 1) * dim, rows * dim), `chunk ${k} colbert`);
    assert.ok(maxAbsDiff(out[k].dense!, meanByHand(hidden, from, to)) < 1e-5, `chunk ${k} dense`);
  });
});

test('a longer document runs in windows that never cut a chunk; each chunk is a slice of its window', async () => {
  const chunks = plans(50, 10);
  const windows = contextWindows(chunks, 130);
  assert.ok(windows.length >= 4, `${windows.length} windows`);
  assert.deepEqual(
    windows.flatMap((w) => w.chunks),
    chunks,
  );
  for (const w of windows) {
    assert.ok(w.end - w.start + 2 <= 130);
    for (const c of w.chunks) assert.ok(c.tokenStart >= w.start && c.tokenEnd <= w.end);
  }
  const out = await embedContextual(chunks, 130, dim, runAlone);
  let k = 0;
  for (const w of windows) {
    const ids = [0, ...doc.slice(1 + w.start, 1 + w.end), 2];
    const [whole] = await model.run([ids], ALL);
    const hidden = await hiddenOf(ids);
    for (const c of w.chunks) {
      const [from, to] = [1 + c.tokenStart - w.start, 1 + c.tokenEnd - w.start];
      assert.deepEqual(out[k].tokenWeights!.subarray(1, -1), whole.tokenWeights!.subarray(from, to), `chunk ${k} sparse`);
      const rows = to - 1 + (k === chunks.length - 1 ? 1 : 0);
      assert.deepEqual(out[k].colbert, whole.colbert!.slice((from - 1) * dim, rows * dim), `chunk ${k} colbert`);
      assert.ok(maxAbsDiff(out[k].dense!, meanByHand(hidden, from, to)) < 1e-5, `chunk ${k} dense`);
      k++;
    }
  }
  assert.equal(k, chunks.length);
});

test('chunks that leave tokens out, go backwards or cannot fit a window are refused', () => {
  const [a, b] = plans(50, 0);
  assert.throws(() => contextWindows([a, { ...b, tokenStart: b.tokenStart + 1 }], 8192), /leaves tokens 50-51 in no chunk/);
  assert.throws(() => contextWindows([b, a], 8192), /starts before/);
  assert.throws(() => contextWindows([a], 40), /more than a window of 40/);
});

test('outputs not asked for are not made', () => {
  const [c] = plans(50, 0);
  const [w] = contextWindows([c], 8192);
  assert.deepEqual(chunkOutputs(w, {}, dim, true), [{}]);
});
