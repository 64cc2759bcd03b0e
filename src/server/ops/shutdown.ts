// Graceful shutdown: stop taking work, let running predictions finish within
// the grace period (then cancel them), wait (bounded) for their terminal
// webhooks, close the HTTP server.
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerContext } from '../context.ts';

/** The shutdown switch: flipped once (by a signal, close() or POST /shutdown); `done` follows the shutdown it starts. */
export class ShutdownSwitch {
  private reason: string | undefined;
  private resolveDone!: (shutdown: Promise<void>) => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  private run: (reason: string) => Promise<void> = async () => {};

  /** What a shutdown does; set once the server exists. */
  onShutdown(run: (reason: string) => Promise<void>): void {
    this.run = run;
  }

  get requested(): boolean {
    return this.reason !== undefined;
  }

  request(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.resolveDone(this.run(reason));
  }
}

/** Resolves true if `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const ac = new AbortController();
  const timedOut = sleep(ms, false, { signal: ac.signal }).catch(() => false);
  const result = await Promise.race([promise.then(() => true), timedOut]);
  ac.abort();
  return result;
}

export async function gracefulShutdown(ctx: ServerContext, server: Server, requests: RequestTracker, reason: string): Promise<void> {
  const { runner, config, log } = ctx;
  const inFlight = runner.runningCount + runner.queuedCount;
  ctx.model.shutdownStarted();
  log.info(`shutting down (${reason}): accepting no new predictions; ${inFlight} in flight get up to ${config.shutdownGraceMs / 1000}s to finish`);
  if (!(await within(runner.idle(), config.shutdownGraceMs))) {
    log.warn(`grace period over: canceling ${runner.runningCount + runner.queuedCount} prediction(s)`);
    runner.cancelAll();
    await runner.idle();
  }
  if (ctx.webhooks.size) {
    log.info(`waiting up to ${config.shutdownWebhookWaitMs / 1000}s for ${ctx.webhooks.size} terminal webhook(s)`);
    if (!(await ctx.webhooks.drain(config.shutdownWebhookWaitMs))) log.warn(`${ctx.webhooks.size} terminal webhook(s) still undelivered at exit`);
  }
  await closeHttp(server, requests);
  log.info('shutdown complete');
}

/** Counts requests whose response has not closed yet. */
export class RequestTracker {
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(server: Server) {
    server.on('request', (_req, res) => {
      this.active++;
      res.once('close', () => {
        if (--this.active === 0) for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Closes the listener, lets responses being written finish (bounded), then drops every socket. */
async function closeHttp(server: Server, requests: RequestTracker): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await within(requests.idle(), 5000);
  server.closeAllConnections();
  await closed;
}
