// A prediction as Replicate's API v1 returns it.
import type { Prediction } from '../predictions/prediction.ts';
import { v1Time } from '../predictions/time.ts';

/** `baseUrl` is scheme://host of the request being answered (or that created it, for webhooks). */
export function toV1Response(p: Prediction, baseUrl: string): Record<string, unknown> {
  const v1 = p.init.v1;
  const get = `${baseUrl}/v1/predictions/${p.id}`;
  const out: Record<string, unknown> = {
    id: p.id,
    model: v1?.model ?? null,
    version: v1?.version ?? null,
    input: p.input,
    logs: p.logs,
    output: p.output,
    data_removed: false,
    error: p.error,
    status: p.status,
    source: 'api',
    created_at: v1Time(p.createdAt),
    started_at: v1Time(p.startedAt),
    completed_at: v1Time(p.completedAt),
    urls: { get, cancel: `${get}/cancel` },
    metrics: metrics(p),
  };
  if (v1?.deployment) out.deployment = v1.deployment;
  if (p.init.webhook) {
    out.webhook = p.init.webhook.url;
    out.webhook_events_filter = p.init.webhook.filterList ?? [...p.init.webhook.filter];
  }
  return out;
}

/**
 * A webhook's body: the prediction without its own `webhook` and
 * `webhook_events_filter`, as Cog's payloads (PredictionResponse has no such
 * fields). Echoing them made a payload a create request that asks for the same
 * webhook again.
 */
export function toV1WebhookPayload(p: Prediction, baseUrl: string): Record<string, unknown> {
  const { webhook: _url, webhook_events_filter: _filter, ...rest } = toV1Response(p, baseUrl);
  return rest;
}

function metrics(p: Prediction): Record<string, number> {
  if (!p.completedAt) return {};
  const total = (p.completedAt.getTime() - p.createdAt.getTime()) / 1000;
  return p.predictTime === null ? { total_time: total } : { predict_time: p.predictTime, total_time: Math.max(total, p.predictTime) };
}
