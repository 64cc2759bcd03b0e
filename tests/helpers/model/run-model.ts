// Small helpers shared by the test-model tests: open a layout, run a batch,
// pad rows, compare arrays.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { LAYOUTS, type LayoutName } from '../../../tools/fixtures/test-model/layouts.ts';
import type { TestModels } from './test-models.ts';

export interface Output {
  data: Float32Array;
  dims: number[];
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** One session per model file per process; a single thread keeps shared CPUs free. */
export function openLayout(models: TestModels, name: LayoutName): Promise<ort.InferenceSession> {
  const file = join(models.dirs[name], LAYOUTS[name].modelPath);
  let session = sessions.get(file);
  if (!session) {
    session = ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
    sessions.set(file, session);
  }
  return session;
}

export async function run(session: ort.InferenceSession, ids: number[][], mask: number[][]): Promise<Record<string, Output>> {
  const dims = [ids.length, ids[0].length];
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), dims),
  };
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: [...t.dims] }]));
}

/** Pads rows with id 1 / mask 0 to the longest row, on the right (as FlagEmbedding does) or on the left. */
export function padBatch(rows: number[][], side: 'right' | 'left' = 'right'): { ids: number[][]; mask: number[][] } {
  const S = Math.max(...rows.map((r) => r.length));
  const pad = (r: number[], fill: number, real: (v: number) => number) => {
    const pads = new Array<number>(S - r.length).fill(fill);
    const body = r.map(real);
    return side === 'right' ? [...body, ...pads] : [...pads, ...body];
  };
  return { ids: rows.map((r) => pad(r, 1, (v) => v)), mask: rows.map((r) => pad(r, 0, () => 1)) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  if (Number.isNaN(max)) throw new Error('NaN in compared arrays');
  return max;
}

/** Rows [from, to) of a [B, S, …] output's batch row b. */
export function slice3(o: Output, b: number, from: number, to: number): Float32Array {
  const [, S, H] = [o.dims[0], o.dims[1], o.dims.slice(2).reduce((x, y) => x * y, 1)];
  return o.data.subarray((b * S + from) * H, (b * S + to) * H);
}
