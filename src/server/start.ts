// Starts the server: listen first, run setup in the background (health is
// STARTING meanwhile), and shut down gracefully on close() or POST /shutdown.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ownHosts } from './http/allowed-hosts.ts';
import { openServerAuth, type AuthTestHooks, type ServerAuth } from './auth/server-auth.ts';
import { readServerConfig, type ServerConfig } from './config.ts';
import { setting } from '../settings.ts';
import type { ServerContext } from './context.ts';
import { createLogger, type Logger } from './log.ts';
import { ServerMetrics } from './ops/metrics.ts';
import { ModelHealth } from './ops/model-health.ts';
import { buildOpenApiSchema } from './cog/openapi.ts';
import { defaultWebDir } from './playground.ts';
import { Runner } from './predictions/runner.ts';
import { SetupState } from './predictions/setup-state.ts';
import { gracefulShutdown, RequestTracker, ShutdownSwitch } from './ops/shutdown.ts';
import { PredictionStore } from './predictions/store.ts';
import type { PredictorLike } from './types.ts';
import { WebhookTracker } from './predictions/webhook.ts';

export interface ServerOptions {
  /** Default: PORT, else 5000; 0 picks a free port. */
  port?: number;
  /** Default: HOST, else 0.0.0.0 (all interfaces), as Cog. */
  host?: string;
  /** Default: a new Predictor from predict.ts. */
  predictor?: PredictorLike;
  /** Passed to Predictor.setup(); the Predictor falls back to COG_WEIGHTS / BGE_M3_WEIGHTS / ./weights. */
  weights?: string;
  /** Extra label shown in the health check and the startup log, e.g. demo mode. */
  banner?: string;
  /** Overrides on top of the settings read from the environment. */
  config?: Partial<ServerConfig>;
  /** Playground folder; default web/ at the project root. */
  webDir?: string;
  /** Where log lines go; default stdout. */
  log?: (line: string) => void;
  /** Test hooks of the API-key check: backoff clock and limits, key-file debounce. */
  auth?: AuthTestHooks;
  /** Webhook deliveries; default: a new tracker on the real clock. Tests pass one with a clock they move. */
  webhooks?: WebhookTracker;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Starts a graceful shutdown (if not already under way) and resolves when it is complete; `reason` goes to the log. */
  close(reason?: string): Promise<void>;
  /** Resolves after a graceful shutdown, however it was started. */
  done: Promise<void>;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = { ...readServerConfig(), ...opts.config };
  const listenPort = opts.port ?? setting('PORT');
  const listenHost = opts.host ?? setting('HOST');
  const log = createLogger(config.logLevel, opts.log);
  const predictor = opts.predictor ?? (await defaultPredictor());
  const shutdown = new ShutdownSwitch();
  const auth = await openServerAuth(config, log, opts.auth);
  void shutdown.done.then(() => auth.close());
  const ctx = createContext(config, log, predictor, shutdown, auth, opts);
  const server = createServer(createApp(ctx));
  const requests = new RequestTracker(server);
  shutdown.onShutdown((reason) => gracefulShutdown(ctx, server, requests, reason));

  const port = await listen(server, listenPort, listenHost).catch((err: unknown) => {
    auth.close();
    throw err;
  });
  const host = listenHost !== '0.0.0.0' && listenHost !== '::' ? listenHost : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info(`listening on ${url} (${config.maxConcurrency} prediction slots)${opts.banner ? ` [${opts.banner}]` : ''}; running setup`);
  void runSetup(ctx, predictor, opts.weights, log);

  return {
    url,
    port,
    close(reason = 'close()') {
      shutdown.request(reason);
      return shutdown.done;
    },
    done: shutdown.done,
  };
}

function createContext(
  config: ServerConfig,
  log: Logger,
  predictor: PredictorLike,
  shutdown: ShutdownSwitch,
  auth: ServerAuth,
  opts: ServerOptions,
): ServerContext {
  const model = new ModelHealth(log, config.readyFile);
  const runner = new Runner(predictor, config.maxConcurrency, config.v1QueueMax, (line) => log.error(line));
  return {
    config,
    log,
    setup: new SetupState(),
    model,
    runner,
    metrics: new ServerMetrics(runner, predictor, () => model.ready),
    predictor,
    store: new PredictionStore({ maxAgeMs: config.v1RetentionMs, maxCount: config.v1RetentionCount, maxBytes: config.v1RetentionBytes }),
    webhooks: opts.webhooks ?? new WebhookTracker(),
    webDir: opts.webDir ?? defaultWebDir(),
    banner: opts.banner,
    modelVersion: createHash('sha256').update(JSON.stringify(buildOpenApiSchema())).digest('hex'),
    shutdown,
    auth,
    allowedHosts: [...ownHosts(opts.host ?? '0.0.0.0'), ...config.allowedHosts],
  };
}

async function runSetup(ctx: ServerContext, predictor: PredictorLike, weights: string | undefined, log: Logger): Promise<void> {
  ctx.model.watch(predictor);
  await ctx.setup.run(predictor, weights, log);
  ctx.metrics.setupEnded(ctx.setup.startedAt, ctx.setup.completedAt ?? new Date());
  if (ctx.setup.status === 'succeeded') {
    ctx.runner.setReady();
    ctx.model.setupSucceeded();
  } else ctx.runner.setFailed(`Setup failed, so this server cannot run predictions: ${ctx.setup.error}`);
}

async function defaultPredictor(): Promise<PredictorLike> {
  const { Predictor } = await import('../../predict.ts');
  return new Predictor();
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
