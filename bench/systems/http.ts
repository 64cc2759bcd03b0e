// The same workload through the Cog HTTP contract: a server process
// (bench/http-server.ts) answering POST /predictions, this process as the
// clients. Peak RSS is the server's.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { driveClients } from '../clients.ts';
import type { ChildJob, RunResult, WorkloadData } from '../types.ts';
import { ourTokenizeMs, procRss, realTokens } from './measure.ts';

export const SERVER_SCRIPT = fileURLToPath(new URL('../http-server.ts', import.meta.url));

export async function runHttp(job: ChildJob, w: WorkloadData): Promise<RunResult> {
  const setupStart = performance.now();
  const server = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, job.modelDir], {
    env: { ...process.env, BGE_M3_MAX_BATCH_TOKENS: String(job.maxBatchTokens) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await listeningUrl(server);
    await waitReady(url);
    await predict(url, ['warm up']);
    const setupMs = performance.now() - setupStart;
    const rssAfterSetup = procRss(server.pid!).rss;
    const run = await driveClients(w, async (texts) => {
      const counts = await predict(
        url,
        texts.map((t) => t.text),
      );
      counts.forEach((n, i) => {
        if (n !== texts[i].ids.length) throw new Error(`the server saw ${n} tokens where the workload has ${texts[i].ids.length}`);
      });
    });
    return {
      system: 'http',
      workload: w.name,
      wallMs: run.wallMs,
      texts: w.texts.length,
      tokens: realTokens(w),
      latenciesMs: run.latenciesMs,
      setupMs,
      rssAfterSetup,
      peakRss: procRss(server.pid!).peak,
      tokenizeMs: await ourTokenizeMs(path.join(job.modelDir, 'tokenizer.json'), w),
      notes: [],
    };
  } finally {
    await stop(server);
  }
}

/** POST /predictions (synchronous) and returns the token counts. */
async function predict(url: string, texts: string[]): Promise<number[]> {
  const res = await fetch(`${url}/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { texts } }),
  });
  const body = (await res.json()) as { status?: string; error?: string; output?: { token_counts: number[] } };
  if (!res.ok || body.status !== 'succeeded' || !body.output) {
    throw new Error(`POST /predictions answered ${res.status}, status ${body.status}: ${body.error ?? JSON.stringify(body).slice(0, 300)}`);
  }
  return body.output.token_counts;
}

export function listeningUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('LISTENING ')) resolve(line.slice('LISTENING '.length).trim());
    });
    server.once('exit', (code) => reject(new Error(`the benchmark server exited (code ${code}) before listening`)));
  });
}

export async function waitReady(url: string): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${url}/health-check`)).json()) as { status: string; setup?: unknown };
    if (health.status === 'READY') return;
    if (health.status === 'SETUP_FAILED') throw new Error(`server setup failed: ${JSON.stringify(health.setup)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
    server.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.kill('SIGTERM');
  });
}
