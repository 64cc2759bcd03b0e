// Prometheus metrics (prom-client), one registry per server. Every metric is
// listed in the README's "Metrics" table; tests/server/ops/metrics.test.ts checks
// that the two agree. Engine numbers come from the Predictor's observer hook.
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchStats, WorkerStatus } from '../../engine/observer.ts';
import type { Prediction } from '../predictions/prediction.ts';
import type { Runner } from '../predictions/runner.ts';
import type { PredictorLike } from '../types.ts';

const P = 'bge_m3_';
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: `${P}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly predictions = new Histogram({
    name: `${P}prediction_duration_seconds`,
    help: "Time from a prediction's creation to its terminal state (waiting included), by API and terminal status.",
    labelNames: ['api', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: `${P}tokens_embedded_total`,
    help: "Tokens run through the model (padding excluded), counting <s> and </s>: the sum of the outputs' token_counts.",
    registers: [this.registry],
  });
  private readonly texts = new Counter({ name: `${P}texts_embedded_total`, help: 'Texts (and queries) run through the model.', registers: [this.registry] });
  private readonly batchTexts = new Histogram({
    name: `${P}batch_texts`,
    help: 'Texts per forward pass.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  private readonly batchPadded = new Histogram({
    name: `${P}batch_padded_tokens`,
    help: 'Padded tokens per forward pass (rows × longest row).',
    buckets: [16, 64, 256, 512, 1024, 2048, 4096, 8192, 16384],
    registers: [this.registry],
  });
  private readonly busy = new Counter({
    name: `${P}model_busy_seconds_total`,
    help: 'Seconds the model spent in forward passes; its rate is the busy fraction (0..1).',
    registers: [this.registry],
  });
  private readonly failedBatches = new Counter({
    name: `${P}batch_failures_total`,
    help: 'Forward passes that failed (e.g. the model worker died).',
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: `${P}model_worker_restarts_total`,
    help: 'Model worker threads started again after one died.',
    registers: [this.registry],
  });
  private readonly rerankRequests = new Counter({
    name: `${P}rerank_requests_total`,
    help: 'Rerank requests answered with a ranking, by API (cohere_v1: /v1/rerank, Cohere v1 and Jina; cohere_v2: /v2/rerank; tei: /rerank).',
    labelNames: ['api'],
    registers: [this.registry],
  });
  private readonly rerankDocuments = new Counter({
    name: `${P}rerank_documents_total`,
    help: 'Documents ranked by answered rerank requests, by API.',
    labelNames: ['api'],
    registers: [this.registry],
  });
  private readonly setupSeconds = new Gauge({
    name: `${P}setup_duration_seconds`,
    help: 'How long setup (loading the model) took; 0 until it ends.',
    registers: [this.registry],
  });

  constructor(runner: Runner, predictor: PredictorLike, ready: () => boolean) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: `${P}queue_texts`,
      help: 'Texts waiting for a forward pass, across running predictions.',
      registers: [this.registry],
      collect() {
        this.set(predictor.queuedTexts ?? 0);
      },
    });
    new Gauge({
      name: `${P}queue_predictions`,
      help: 'Predictions waiting for a free slot (/v1, status starting).',
      registers: [this.registry],
      collect() {
        this.set(runner.queuedCount);
      },
    });
    new Gauge({
      name: `${P}predictions_running`,
      help: 'Predictions holding a slot.',
      registers: [this.registry],
      collect() {
        this.set(runner.runningCount);
      },
    });
    new Gauge({
      name: `${P}prediction_slots`,
      help: 'Prediction slots (COG_MAX_CONCURRENCY).',
      registers: [this.registry],
      collect() {
        this.set(runner.slots);
      },
    });
    new Gauge({
      name: `${P}model_info`,
      help: 'The loaded model: 1 with its precision and, for int8, its weight bits (8 or 7, chosen by the CPU) as labels; absent before setup.',
      labelNames: ['precision', 'int8_weight_bits'],
      registers: [this.registry],
      collect() {
        modelInfo(this, predictor);
      },
    });
    new Gauge({
      name: `${P}ready`,
      help: '1 while GET /health answers 200 (setup done, model worker alive, not shutting down), else 0.',
      registers: [this.registry],
      collect() {
        this.set(ready() ? 1 : 0);
      },
    });
    predictor.observe?.({ batch: (s) => this.onBatch(s), worker: (s) => this.onWorker(s) });
  }

  /** Express middleware counting every answered request by its route pattern (never the raw path). */
  readonly http = (req: Request, res: Response, next: NextFunction): void => {
    res.once('finish', () => this.requests.inc({ method: req.method, route: routeLabel(req, res), status: String(res.statusCode) }));
    next();
  };

  predictionSettled(p: Prediction): void {
    const end = p.completedAt ?? new Date();
    this.predictions.observe({ api: p.init.api, status: p.status }, (end.getTime() - p.createdAt.getTime()) / 1000);
  }

  /** A rerank request answered with the ranking of `documents` documents. */
  rerankAnswered(api: 'cohere_v1' | 'cohere_v2' | 'tei', documents: number): void {
    this.rerankRequests.inc({ api });
    this.rerankDocuments.inc({ api }, documents);
  }

  setupEnded(startedAt: Date, completedAt: Date): void {
    this.setupSeconds.set((completedAt.getTime() - startedAt.getTime()) / 1000);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  private onBatch(s: BatchStats): void {
    this.busy.inc(s.seconds);
    if (!s.ok) {
      this.failedBatches.inc();
      return;
    }
    this.tokens.inc(s.tokens);
    this.texts.inc(s.texts);
    this.batchTexts.observe(s.texts);
    this.batchPadded.observe(s.paddedTokens);
  }

  private onWorker(s: WorkerStatus): void {
    if (s.state === 'alive') this.restarts.inc();
  }
}

function modelInfo(g: Gauge<'precision' | 'int8_weight_bits'>, predictor: PredictorLike): void {
  g.reset();
  const info = predictor.info;
  if (info) g.set({ precision: info.precision ?? 'fp32', int8_weight_bits: info.int8Weights ? String(info.int8Weights.bits) : '' }, 1);
}

/** The matched route's pattern (`/predictions/:id`), `/playground/*` for static files, else `unmatched`. */
function routeLabel(req: Request, res: Response): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return req.baseUrl + route.path;
  if (res.statusCode !== 404 && req.originalUrl.startsWith('/playground')) return '/playground/*';
  return 'unmatched';
}
