// Shapes shared by the benchmark's parent (bench/run.ts) and its children.

export const SYSTEMS = ['ceiling', 'predictor', 'predictor-int8', 'naive', 'transformers-js', 'http'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** One text of a workload, with the ids our tokenizer gives it (<s> … </s>). */
export interface BenchText {
  text: string;
  ids: number[];
}

/** A workload as written to disk by the parent and read by each child. */
export interface WorkloadData {
  name: string;
  texts: BenchText[];
  /** Each request is a list of indices into `texts`; clients send them in order. */
  requests: number[][];
  /** Clients sending requests at once; each sends its next request when the last one returns. */
  concurrency: number;
}

/** What a child measures for one system on one workload. */
export interface RunResult {
  system: SystemName;
  workload: string;
  /** From the first request sent to the last response. */
  wallMs: number;
  texts: number;
  /** Real (unpadded) tokens of the workload's texts, counted by our tokenizer. */
  tokens: number;
  /** Tokens ORT actually ran, padding included (where the system exposes it). */
  ranTokens?: number;
  /** Forward passes, and the time spent in them (where the system exposes them). */
  batches?: number;
  modelMs?: number;
  /** Per request, from send to response. */
  latenciesMs: number[];
  setupMs: number;
  rssAfterSetup: number;
  /** Peak resident set of the process that holds the model, in bytes. */
  peakRss: number;
  /** Time spent tokenizing the workload's texts, measured in the same process. */
  tokenizeMs: number;
  /** Longest gap between event-loop turns while the workload ran. */
  maxLoopStallMs?: number;
  notes: string[];
}

export interface ChildJob {
  system: SystemName;
  workloadFile: string;
  modelDir: string;
  /** Model directory in the layout transformers.js reads. */
  transformersDir: string;
  maxBatchTokens: number;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';
