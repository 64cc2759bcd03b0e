// A prediction as Cog's Python server returns it (PredictionResponse,
// nulls included, in its key order).
import type { Prediction } from '../predictions/prediction.ts';
import { cogTime } from '../predictions/time.ts';

export function toCogResponse(p: Prediction): Record<string, unknown> {
  return {
    input: p.input,
    output: p.output,
    id: p.id,
    version: null,
    created_at: p.init.requestCreatedAt ?? null,
    started_at: cogTime(p.startedAt),
    completed_at: cogTime(p.completedAt),
    logs: p.logs,
    error: p.error,
    status: p.status,
    metrics: p.predictTime === null ? null : { predict_time: p.predictTime },
  };
}
