// One prediction's state and its transitions. Serialization lives in
// cog-json.ts and v1-json.ts; running it lives in runner.ts.
import { performance } from 'node:perf_hooks';
import type { ClientError } from '../../api/errors.ts';
import { TERMINAL_STATUSES, type PredictionStatus, type PredictorLike, type WebhookEvent } from '../types.ts';

export interface WebhookRequest {
  url: string;
  filter: ReadonlySet<WebhookEvent>;
  /** Given filter as sent, echoed by /v1 objects. */
  filterList?: WebhookEvent[];
}

export interface V1Info {
  model: string;
  version: string;
  /** Scheme and host of the creating request, for absolute `urls` in webhooks. */
  baseUrl: string;
  deployment?: string;
}

export interface PredictionInit {
  api: 'cog' | 'v1' | 'openai' | 'tei' | 'cohere';
  id: string | null;
  /** The validated input, defaults applied. */
  input: Record<string, unknown>;
  /** Cog: the request's `created_at`, echoed as given. */
  requestCreatedAt?: string | null;
  webhook?: WebhookRequest;
  v1?: V1Info;
  /** With API keys on: the sha256 (hex) of the key that created it, never the key. */
  owner?: string;
  /** Work other than predictor.predict(input) to run in the slot (the OpenAI and TEI routes' embed calls, the rerank calls). */
  run?: (predictor: PredictorLike, ctx: { signal: AbortSignal; log: (line: string) => void }) => Promise<unknown>;
}

export type PredictionListener = (event: Exclude<WebhookEvent, 'output'>) => void;

export class Prediction {
  status: PredictionStatus = 'starting';
  output: unknown = null;
  logs = '';
  error: string | null = null;
  /** Set when the Predictor refused the request (e.g. an output too large to return): each protocol answers it as the client's error. */
  clientError: ClientError | null = null;
  readonly createdAt = new Date();
  startedAt: Date | null = null;
  completedAt: Date | null = null;
  /** Seconds from start to completion, set on every terminal state that followed a start. */
  predictTime: number | null = null;
  readonly controller = new AbortController();
  /** Resolves once the prediction is terminal; never rejects. */
  readonly settled: Promise<void>;
  private resolveSettled!: () => void;
  private startedHr = 0;
  private listeners: PredictionListener[] = [];

  constructor(readonly init: PredictionInit) {
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
  }

  get id(): string | null {
    return this.init.id;
  }

  get owner(): string | undefined {
    return this.init.owner;
  }

  get input(): Record<string, unknown> {
    return this.init.input;
  }

  get terminal(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  onEvent(fn: PredictionListener): void {
    this.listeners.push(fn);
  }

  markStarted(): void {
    this.status = 'processing';
    this.startedAt = new Date();
    this.startedHr = performance.now();
    this.emit('start');
  }

  appendLog(text: string): void {
    if (this.terminal) return;
    this.logs += text;
    this.emit('logs');
  }

  markSucceeded(output: unknown): void {
    if (this.terminal) return;
    this.output = output;
    this.finish('succeeded');
  }

  markFailed(error: string, clientError?: ClientError): void {
    if (this.terminal) return;
    this.error = error;
    this.clientError = clientError ?? null;
    this.finish('failed');
  }

  markCanceled(): void {
    this.finish('canceled');
  }

  private finish(status: PredictionStatus): void {
    if (this.terminal) return;
    this.status = status;
    this.completedAt = new Date();
    if (this.startedAt) this.predictTime = Math.round((performance.now() - this.startedHr) * 1000) / 1e6;
    this.emit('completed');
    this.resolveSettled();
  }

  private emit(event: Exclude<WebhookEvent, 'output'>): void {
    for (const fn of this.listeners) fn(event);
  }
}
