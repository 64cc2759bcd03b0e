// The benchmark's workloads, in full and --quick sizes. Texts are built to
// exact token counts with our tokenizer (bench/corpus.ts), from fixed seeds.
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import type { TextMaker } from './corpus.ts';
import type { SystemName, WorkloadData } from './types.ts';

export interface WorkloadSpec {
  name: string;
  /** One line for BENCHMARKS.md. */
  describe: string;
  systems: readonly SystemName[];
  /** Runs per system, alternating systems; the report keeps each system's fastest. */
  repeats: number;
  build(make: TextMaker, random: () => number): Omit<WorkloadData, 'name'>;
}

const ALL: readonly SystemName[] = ['ceiling', 'predictor', 'predictor-int8', 'naive', 'transformers-js', 'http'];

/** Lengths spread evenly on a log scale from `lo` to `hi` tokens, shuffled into a seeded arrival order. */
export function logSpread(n: number, lo: number, hi: number, random: () => number): number[] {
  const lengths = Array.from({ length: n }, (_, i) => Math.round(lo * (hi / lo) ** (i / (n - 1))));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [lengths[i], lengths[j]] = [lengths[j], lengths[i]];
  }
  return lengths;
}

function singles(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => [i]);
}

function groups(n: number, size: number): number[][] {
  return Array.from({ length: Math.ceil(n / size) }, (_, r) => Array.from({ length: Math.min(size, n - r * size) }, (_, k) => r * size + k));
}

export function workloadSpecs(quick: boolean): WorkloadSpec[] {
  const q = (full: number, small: number) => (quick ? small : full);
  const queryCount = q(64, 8);
  const concurrentQueries = q(512, 64);
  const passages = q(96, 16);
  const mixed = { n: q(32, 12), hi: q(2000, 1000) };
  const docLength = q(8192, 2048);
  const queryLength = (random: () => number) => 8 + Math.floor(random() * 5);
  return [
    {
      name: 'queries-1',
      describe: `${queryCount} queries of 8-12 tokens, one per request, one client at a time`,
      systems: ['ceiling', 'predictor', 'predictor-int8', 'transformers-js', 'http'],
      repeats: q(2, 1),
      build: (make, random) => ({
        texts: Array.from({ length: queryCount }, () => make.make(queryLength(random))),
        requests: singles(queryCount),
        concurrency: 1,
      }),
    },
    {
      name: 'queries-16',
      describe: `${concurrentQueries} queries of 8-12 tokens, one per request, from 16 concurrent clients`,
      systems: ALL,
      repeats: q(2, 1),
      build: (make, random) => ({
        texts: Array.from({ length: concurrentQueries }, () => make.make(queryLength(random))),
        requests: singles(concurrentQueries),
        concurrency: 16,
      }),
    },
    {
      name: 'passages-128',
      describe: `${passages} passages of 128 tokens, 8 per request, from 4 concurrent clients`,
      systems: ALL,
      repeats: q(2, 1),
      build: (make) => ({ texts: Array.from({ length: passages }, () => make.make(128)), requests: groups(passages, 8), concurrency: 4 }),
    },
    {
      name: 'mixed',
      describe: `${mixed.n} texts of 10 to ${mixed.hi} tokens (evenly spread on a log scale, seeded shuffle), in one request`,
      systems: ALL,
      repeats: 1,
      build: (make, random) => {
        const texts = logSpread(mixed.n, 10, mixed.hi, random).map((len) => make.make(len));
        return { texts, requests: [texts.map((_, i) => i)], concurrency: 1 };
      },
    },
    {
      name: `doc-${docLength}`,
      describe: `one document of ${docLength} tokens, alone`,
      systems: ['ceiling', 'predictor', 'predictor-int8', 'transformers-js'],
      repeats: q(2, 1),
      build: (make) => ({ texts: [make.make(docLength)], requests: [[0]], concurrency: 1 }),
    },
  ];
}

export function buildWorkload(spec: WorkloadSpec, make: TextMaker, seed: number): WorkloadData {
  return { name: spec.name, ...spec.build(make, seededRandom(seed)) };
}
