// Shared by the server tests: start a server on an ephemeral port, call it,
// wait for states, and receive webhooks on a local HTTP server.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerConfig } from '../../../src/server/config.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../../src/server/start.ts';
import type { HealthStatus } from '../../../src/server/types.ts';

/** Settings that keep tests quick and quiet; tests override what they examine. */
export const TEST_CONFIG: Partial<ServerConfig> = {
  logLevel: 'error',
  webhookRetryBaseMs: 10,
  shutdownGraceMs: 5000,
  shutdownWebhookWaitMs: 5000,
  readyFile: null, // even when the tests run in a Kubernetes pod
};

export async function startTestServer(opts: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', log: () => {}, ...opts, config: { ...TEST_CONFIG, ...opts.config } });
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: the test looks at text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function waitForHealth(base: string, wanted: HealthStatus[], timeoutMs = 60000): Promise<any> {
  let last: unknown;
  return eventually(
    `health ${wanted.join('|')} (last: ${JSON.stringify(last)})`,
    async () => {
      const r = await call(base, 'GET', '/health-check');
      last = r.body;
      return wanted.includes(r.body.status) ? r.body : undefined;
    },
    timeoutMs,
  );
}

export interface ReceivedWebhook {
  body: any;
  headers: IncomingHttpHeaders;
  /** HTTP status the receiver answered with. */
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1. `respond(n)` picks the status of the n-th
 * request (0-based); default 200. Every request is recorded, answered or not.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(respond: (n: number, body: any) => number = () => 200): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const answered = respond(receiver.received.length, body);
        receiver.received.push({ body, headers: req.headers, answered });
        res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    return receiver;
  }

  /** Successfully received payloads whose `id` is `id`. */
  accepted(id: string | null): any[] {
    return this.received.filter((r) => r.answered < 300 && r.body.id === id).map((r) => r.body);
  }

  async terminal(id: string | null, timeoutMs = 15000): Promise<any> {
    return eventually(`terminal webhook of ${id}`, () => this.accepted(id).find((b) => ['succeeded', 'failed', 'canceled'].includes(b.status)), timeoutMs);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
