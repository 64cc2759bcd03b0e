// Shapes shared by the server's modules. The server knows the Predictor only
// through PredictorLike: it never sees tokenizers or tensors.

export interface PredictorLike {
  setup(opts?: { weights?: string; log?: (line: string) => void }): Promise<void>;
  predict(input: unknown, ctx?: { signal?: AbortSignal; log?: (line: string) => void }): Promise<unknown>;
  /** What setup loaded; the health check reports its precision. */
  readonly info?: { precision?: string };
}

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled']);

export type WebhookEvent = 'start' | 'output' | 'logs' | 'completed';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['start', 'output', 'logs', 'completed'];

/** What GET /health-check reports (Cog's Health enum, the states this server can be in). */
export type HealthStatus = 'STARTING' | 'READY' | 'BUSY' | 'SETUP_FAILED';

/** One entry of a 422 body's `detail` list, as FastAPI (Cog's Python server) writes it. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** The Cog HTTP contract version whose shapes this server reproduces (reported as `cog_version`). */
export const COG_CONTRACT_VERSION = '0.16.12';

export const SERVER_NAME = 'bge-m3-cog';
export const SERVER_VERSION = '0.1.0';
