// Shapes shared by the server's modules. The server knows the Predictor only
// through PredictorLike: it never sees tokenizers or tensors.
import type { PredictorObserver } from '../engine/observer.ts';
import type { RerankRequest, RerankResult } from '../api/rerank-request.ts';
import type { CalibrationRanges } from '../api/calibration.ts';

export interface PredictorLike {
  setup(opts?: { weights?: string; log?: (line: string) => void }): Promise<void>;
  predict(input: unknown, ctx?: { signal?: AbortSignal; log?: (line: string) => void }): Promise<unknown>;
  /** Forward passes and model worker state changes, for metrics and health. */
  observe?(observer: PredictorObserver): void;
  /** Texts waiting for a forward pass. */
  readonly queuedTexts?: number;
  /** The OpenAI and TEI doors need these; a predictor without them gets those routes refused. */
  embed?(req: EmbedCall, ctx?: { signal?: AbortSignal; log?: (line: string) => void }): Promise<EmbedReply>;
  /** The rerank doors (Cohere, Jina, TEI) need this. */
  rerank?(req: RerankRequest, ctx?: { signal?: AbortSignal; log?: (line: string) => void }): Promise<RerankResult>;
  tokenize?(text: string, opts: { addSpecialTokens: boolean }): Promise<TokenWithOffsets[]>;
  decode?(ids: readonly number[], opts: { skipSpecialTokens: boolean }): Promise<string>;
  /** The int8/uint8 calibration ranges (GET /calibration), made on first use. */
  calibration?(): Promise<CalibrationRanges>;
  /** Known after setup. */
  readonly info?: { dim: number; maxBatchTokens: number; precision?: string; int8Weights?: { bits: number; reason: string }; weights?: string };
}

/** Predictor.embed's request (src/api/embed-request.ts), as the server sees it. */
export interface EmbedCall {
  inputs: readonly (string | readonly number[])[];
  truncate: boolean;
  truncationDirection?: 'left' | 'right';
  dense: boolean;
  sparse: boolean;
  maxTotalTokens?: number;
}

export interface EmbedReply {
  tokenCounts: number[];
  truncated: boolean[];
  dense?: number[][];
  sparse?: Record<string, number>[];
}

/** A token and its [start, stop) in UTF-16 units of the text; special tokens have no offsets. */
export interface TokenWithOffsets {
  id: number;
  special: boolean;
  /** The vocabulary text of a special token. */
  token?: string;
  start?: number;
  stop?: number;
}

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled']);

export type WebhookEvent = 'start' | 'output' | 'logs' | 'completed';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['start', 'output', 'logs', 'completed'];

/**
 * What GET /health-check reports (Cog's Health enum, the states this server can be in).
 * DEFUNCT (newer Cog): the model worker died and no restart is left.
 */
export type HealthStatus = 'STARTING' | 'READY' | 'BUSY' | 'SETUP_FAILED' | 'DEFUNCT';

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
