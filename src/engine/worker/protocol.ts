// Messages between the main thread and the onnxruntime worker.
import type { ModelFiles } from '../weights/model-files.ts';
import type { Int8WeightChoice } from '../onnx/int8-weights.ts';
import type { Layout, SessionSettings } from '../onnx/onnx-model.ts';
import type { Need, Pool, TextEmbedding, TokenIds } from '../types.ts';

export interface WorkerInit {
  entry: string;
  files: ModelFiles;
  settings: SessionSettings;
}

export interface ModelSummary {
  layout: Layout;
  fixedBatch: number | null;
  attention: string;
  precision: string;
  int8Weights?: Int8WeightChoice;
}

export type ToWorker = { kind: 'run'; id: number; batch: TokenIds[]; need: Need; pools?: (Pool[] | undefined)[] } | { kind: 'release' };

export type FromWorker =
  | { kind: 'ready'; summary: ModelSummary }
  | { kind: 'setup-failed'; message: string }
  | { kind: 'result'; id: number; out: TextEmbedding[] }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'released' };
