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
  close(): Promise<void>;
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
    env: { ...process.env, PLAYGROUND_BANNER: TEST_BANNER, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await listeningUrl(child);
  await waitUntilReady(url);
  return { url, banner: TEST_BANNER, close: () => stop(child) };
}

async function listeningUrl(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the test server exited (code ${code}) before listening; its stderr is above`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const m = /^LISTENING (\S+)/.exec(line);
      if (m) return m[1];
    }
    throw new Error('the test server closed its output before listening');
  })();
  return Promise.race([listening, exited]);
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
