// The scheduler on the real (tiny) model: whatever a prediction's texts are
// batched with — other predictions, padding, any batching mode — each text's
// outputs are those of the same text run alone; and a canceled prediction's
// queued texts never reach the model.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { BgeM3Onnx } from '../../../src/engine/onnx/onnx-model.ts';
import { Scheduler, type SchedulerOptions } from '../../../src/engine/batching/scheduler.ts';
import type { Need, TextEmbedding, TokenIds } from '../../../src/engine/types.ts';
import { seededRandom } from '../../../tools/fixtures/tokenizer/corpus.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

const ALL: Need = { dense: true, sparse: true, colbert: true };
/** Float noise between batch shapes stays far below this; a mix-up of texts or rows does not. */
const TOLERANCE = 1e-6;

let model: BgeM3Onnx;
before(async () => {
  model = await BgeM3Onnx.load(await findModelFiles((await ensureTestModels()).dirs.official));
});

/** `n` token ids: <s>, content ids drawn from `random`, </s>. */
function text(n: number, random: () => number): number[] {
  return [0, ...Array.from({ length: n - 2 }, () => 4 + Math.floor(random() * 3990)), 2];
}

/** Predictions of 1-6 texts each, lengths 3-300 (a few long, most short). */
function predictions(seed: number, count: number): number[][][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => text(3 + Math.floor(random() ** 2 * 297), random)));
}

function assertSame(got: TextEmbedding, want: TextEmbedding, what: string): void {
  for (const key of ['dense', 'tokenWeights', 'colbert'] as const) {
    const a = got[key]!;
    const b = want[key]!;
    assert.equal(a.length, b.length, `${what}: ${key} length`);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst <= TOLERANCE, `${what}: ${key} differs from the text run alone by ${worst}`);
  }
}

async function alone(texts: TokenIds[]): Promise<TextEmbedding[]> {
  const out: TextEmbedding[] = [];
  for (const t of texts) out.push((await model.run([t], ALL))[0]);
  return out;
}

const MODES: [string, SchedulerOptions][] = [
  ['token budget, cost rule', { maxBatchTokens: 2048 }],
  ['tight budget', { maxBatchTokens: 300 }],
  ['no padding limits at all', { maxBatchTokens: 1 << 20, minFill: 0, fixedCostTokens: 1e9 }],
  ['arrival order, 12 per batch (the naive baseline)', { maxBatchTokens: 1, arrivalBatchSize: 12 }],
  ['arrival order, 5 per batch', { maxBatchTokens: 1, arrivalBatchSize: 5 }],
];

for (const [name, options] of MODES) {
  test(`concurrent predictions get their own texts' outputs, in order (${name})`, async () => {
    const jobs = predictions(name.length, 8);
    const batches: TokenIds[][] = [];
    const s = new Scheduler((b, need) => {
      batches.push(b);
      return model.run(b, need);
    }, options);
    const outs = await Promise.all(jobs.map((texts) => s.submit(texts, ALL)));
    assert.ok(
      batches.some((b) => b.length > 1),
      'some batch holds several texts',
    );
    for (const [j, texts] of jobs.entries()) {
      const want = await alone(texts);
      want.forEach((w, i) => assertSame(outs[j][i], w, `prediction ${j}, text ${i}`));
    }
  });
}

test('canceling one prediction drops its queued texts; the others still get their own outputs', async () => {
  const [first, doomed, other] = predictions(99, 3).map((p, i) => [...p, text(40 + i, seededRandom(i))]);
  const ran: TokenIds[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = new Scheduler(
    async (b, need) => {
      ran.push(...b);
      await gate; // the first batch holds the model until the cancel is in
      return model.run(b, need);
    },
    { maxBatchTokens: 64 },
  );
  const firstDone = s.submit(first, ALL);
  await new Promise((r) => setImmediate(r));
  const ac = new AbortController();
  const doomedDone = s.submit(doomed, ALL, { signal: ac.signal });
  const otherDone = s.submit(other, ALL);
  const queuedBefore = s.queuedTexts;
  ac.abort();
  await assert.rejects(doomedDone, { name: 'AbortError' });
  assert.equal(s.queuedTexts, queuedBefore - doomed.length, 'every queued text of the canceled prediction left the queue');
  release();
  const [firstOut, otherOut] = await Promise.all([firstDone, otherDone]);
  assert.ok(!ran.some((t) => doomed.includes(t as number[])), 'no text of the canceled prediction reached the model');
  (await alone(first)).forEach((w, i) => assertSame(firstOut[i], w, `first, text ${i}`));
  (await alone(other)).forEach((w, i) => assertSame(otherOut[i], w, `other, text ${i}`));
});
