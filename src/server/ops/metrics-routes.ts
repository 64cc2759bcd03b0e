// GET /metrics: Prometheus text exposition of ServerMetrics.
import express, { type Router } from 'express';
import type { ServerMetrics } from './metrics.ts';

export function metricsRoutes(metrics: ServerMetrics): Router {
  const r = express.Router();
  r.get('/metrics', async (_req, res) => {
    res
      .set('content-type', metrics.registry.contentType)
      .set('cache-control', 'no-store')
      .send(await metrics.text());
  });
  return r;
}
