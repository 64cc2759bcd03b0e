// The server the playground tests talk to: the real one on the generated test
// model, started in a child process (serve-test-model.ts), or, when
// PLAYGROUND_URL is set, a server already running there (e.g. on real weights).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface PlaygroundServer {
  /** Root URL without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The banner the server was started with (undefined for PLAYGROUND_URL). */
  banner?: string;
  /** Holds on the server's model worker (undefined for PLAYGROUND_URL, whose worker a test cannot reach). */
  worker?: WorkerHolds;
  close(): Promise<void>;
}

/** See serve-test-model.ts: a test holds batches in flight on the server's model worker. */
export interface WorkerHolds {
  /**
   * Arms the worker to hold the next batch it gets. Sent at once (even while another batch is held:
   * the thread takes the request as soon as it runs again); `armed` resolves when the thread has it.
   */
  holdNext(): WorkerHold;
}

export interface WorkerHold {
  armed: Promise<void>;
  /** Resolves once a batch is held: it is in flight, and nothing after it can run. */
  holding: Promise<void>;
  resume(): void;
}

export const TEST_BANNER = 'Test server: random tiny weights, so the numbers mean nothing.';
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVE = fileURLToPath(new URL('./serve-test-model.ts', import.meta.url));

/** `env` adds to the child's environment (e.g. API_KEYS); it is ignored for PLAYGROUND_URL. */
export async function startPlaygroundServer(env: Record<string, string> = {}): Promise<PlaygroundServer> {
  const external = process.env.PLAYGROUND_URL;
  if (external) {
    const url = external.replace(/\/+$/, '');
    await waitUntilReady(url);
    return { url, close: async () => {} };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE], {
    cwd: REPO_ROOT,
    env: { ...process.env, PLAYGROUND_BANNER: TEST_BANNER, BGE_M3_TEST_HOOKS: '1', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = new ChildLines(child);
  const url = (await lines.next(/^LISTENING (\S+)/))[1];
  await waitUntilReady(url);
  return { url, banner: TEST_BANNER, worker: workerHolds(child, lines), close: () => stop(child) };
}

/** The child's output lines: each goes to the first waiter whose pattern it matches (lines nobody waits for are dropped). */
class ChildLines {
  private readonly waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] = [];
  private ended: Error | null = null;

  constructor(child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      for (const [i, waiter] of this.waiters.entries()) {
        const m = waiter.pattern.exec(line);
        if (!m) continue;
        this.waiters.splice(i, 1);
        return waiter.resolve(m);
      }
    });
    void once(child, 'exit').then(([code]) => {
      this.ended = new Error(`the test server exited (code ${code}); its stderr is above`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.ended);
    });
  }

  next(pattern: RegExp): Promise<RegExpExecArray> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiters.push({ pattern, resolve, reject }));
  }
}

function workerHolds(child: ChildProcess, lines: ChildLines): WorkerHolds {
  let count = 0;
  return {
    holdNext() {
      const n = ++count;
      // Wait for the answers before asking, so no line can come before its waiter.
      const armed = lines.next(new RegExp(`^ARMED ${n}$`)).then(() => {});
      const holding = lines.next(new RegExp(`^HOLDING ${n}$`)).then(() => {});
      for (const p of [armed, holding]) p.catch(() => {}); // a test that stopped early awaits neither
      child.stdin!.write(`hold ${n}\n`);
      return { armed, holding, resume: () => void child.stdin!.write(`resume ${n}\n`) };
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    let health: any;
    try {
      health = await (await fetch(`${url}/health-check`)).json();
    } catch (err) {
      last = (err as Error).message;
    }
    if (health?.status === 'READY') return;
    if (health?.status === 'SETUP_FAILED') throw new Error(`the server at ${url} failed setup: ${health.setup?.logs}`);
    if (health) last = health.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server at ${url} was not READY within ${timeoutMs} ms (last: ${last})`);
}
