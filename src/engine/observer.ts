// What the Predictor tells whoever watches it (the server's metrics and
// health): each forward pass, and the model worker's state changes.
import type { BatchStats } from './batching/scheduler.ts';
import type { WorkerStatus } from './worker/supervisor.ts';

export type { BatchStats, WorkerStatus };

export interface PredictorObserver {
  batch?(stats: BatchStats): void;
  worker?(status: WorkerStatus): void;
}
