// What every route handler shares: settings, setup state, the runner, the
// /v1 store, webhook deliveries, and the shutdown switch.
import type { ServerAuth } from './auth/server-auth.ts';
import type { HostPattern } from './http/allowed-hosts.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { ServerMetrics } from './ops/metrics.ts';
import type { ModelHealth } from './ops/model-health.ts';
import type { Prediction } from './predictions/prediction.ts';
import type { Runner } from './predictions/runner.ts';
import type { SetupState } from './predictions/setup-state.ts';
import type { PredictionStore } from './predictions/store.ts';
import type { HealthStatus, PredictorLike } from './types.ts';
import { attachWebhook, type WebhookSettings, type WebhookTarget, type WebhookTracker } from './predictions/webhook.ts';

export interface ServerContext {
  config: ServerConfig;
  log: Logger;
  setup: SetupState;
  /** The model worker's state and the readiness file. */
  model: ModelHealth;
  runner: Runner;
  metrics: ServerMetrics;
  /** For what runs outside the slots: tokenize, decode, model info (OpenAI and TEI routes). */
  predictor: PredictorLike;
  store: PredictionStore;
  webhooks: WebhookTracker;
  /** Folder of the static playground, served at /playground when present. */
  webDir: string;
  banner?: string;
  /** Replicate-style version id of this model (a hash of its OpenAPI schema). */
  modelVersion: string;
  shutdown: { readonly requested: boolean; request(reason: string): void };
  /** API keys: guard(shape) goes in front of every route that does work. */
  auth: ServerAuth;
  /** The Host names requests may carry: this machine's own (ownHosts) and config.allowedHosts. */
  allowedHosts: HostPattern[];
}

export function healthStatus(ctx: ServerContext): HealthStatus {
  if (ctx.setup.status === 'starting') return 'STARTING';
  if (ctx.setup.status === 'failed') return 'SETUP_FAILED';
  const worker = ctx.model.worker?.state;
  if (worker === 'defunct') return 'DEFUNCT';
  if (worker === 'restarting') return 'STARTING'; // a new worker is loading the model, as setup does
  return ctx.runner.busy ? 'BUSY' : 'READY';
}

export function webhookSettings(config: ServerConfig): WebhookSettings {
  return {
    throttleMs: config.throttleIntervalMs,
    authToken: config.webhookAuthToken,
    retryBaseMs: config.webhookRetryBaseMs,
    maxRetries: config.webhookMaxRetries,
    timeoutMs: config.webhookTimeoutMs,
  };
}

export function addWebhook(ctx: ServerContext, p: Prediction, target: WebhookTarget): void {
  attachWebhook(p, target, webhookSettings(ctx.config), ctx.webhooks, ctx.log);
}

/** The one log line each prediction gets when it ends. */
export function logOutcome(ctx: ServerContext, p: Prediction, api: Prediction['init']['api']): void {
  void p.settled.then(() => {
    ctx.metrics.predictionSettled(p);
    const time = p.predictTime === null ? '' : ` predict_time=${p.predictTime.toFixed(3)}s`;
    const error = p.error ? ` error=${JSON.stringify(p.error.slice(0, 200))}` : '';
    const key = p.owner ? ` key=${p.owner.slice(0, 8)}` : ''; // the key's short sha256, never the key
    ctx.log.info(`prediction api=${api} id=${p.id ?? '-'} status=${p.status}${time}${key}${error}`);
  });
}

/** Trace headers to forward to webhooks, as Cog does. */
export function traceHeaders(get: (name: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const v = get(name);
    if (v) out[name] = v;
  }
  return out;
}
