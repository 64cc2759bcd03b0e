// Issue 9 "Done when": hundreds of malformed or extreme requests (every repro
// of the issue among them, see hostile-cases.ts) against the real server
// process on the tiny generated model. None may get a 5xx or a response that
// shows a stack trace or a path of the server's files; /health-check, polled
// all along, must answer within the 1 s the issue demands; and the process
// must still be alive and READY at the end.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { hostileCases, type HostileCase } from '../../helpers/server/hostile-cases.ts';
import { call } from '../../helpers/server/helpers.ts';
import { leak, rawRequest, REPO_ROOT, type RawReply } from '../../helpers/server/raw-http.ts';
import { officialWeights } from '../../helpers/server/real-model.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/server/server-process.ts';

/** Requests in flight at once: enough to overlap, few enough for a loaded two-core machine. */
const PARALLEL = 3;
const HEALTH_BOUND_MS = 1000;

let srv: ServerProcess;

before(async () => {
  // One onnxruntime thread leaves a core to the event loop that answers /health-check.
  srv = await startServerProcess({ BGE_M3_MAX_BODY_MB: '24', BGE_M3_THREADS: '1' });
});

after(() => srv.stop());

test('300+ hostile requests: no 5xx, no stack or path, health within 1 s, still alive', { timeout: 300_000 }, async (t) => {
  const cases = hostileCases({ url: srv.url, port: srv.port });
  assert.ok(cases.length >= 300, `only ${cases.length} cases`);
  const weights = await officialWeights();

  const health = pollHealth(srv.url);
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const problem = await judge(c, weights);
      if (problem) failures.push(`${c.name}: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const latencies = await health.stop();

  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
  assert.ok(latencies.length > 0, 'the health check was polled');
  const worst = Math.max(...latencies);
  t.diagnostic(`${cases.length} hostile requests; /health-check polled ${latencies.length} times, slowest ${worst.toFixed(0)} ms`);
  assert.ok(worst < HEALTH_BOUND_MS, `/health-check took ${worst.toFixed(0)} ms at worst (${latencies.length} polls)`);
  assert.equal(srv.child.exitCode, null, 'the server process is alive');
  assert.equal(srv.child.signalCode, null);
  const end = await call(srv.url, 'GET', '/health-check');
  assert.ok(['READY', 'BUSY'].includes(end.body.status), end.text);
  const works = await call(srv.url, 'POST', '/predictions', { input: { texts: ['still fine'], max_length: 8 } });
  assert.equal(works.body.status, 'succeeded', 'and it still predicts');
});

/** What is wrong with the answer to `c`, or undefined. */
async function judge(c: HostileCase, weights: string): Promise<string | undefined> {
  let r: RawReply;
  try {
    r = await withTimeout(rawRequest(srv.url, c), 120_000);
  } catch (err) {
    // The server may refuse a malformed request by closing the connection (Node's HTTP parser does).
    if (/socket hang up|ECONNRESET/.test((err as Error).message) && c.expect === undefined) return undefined;
    return `no answer (${(err as Error).message})`;
  }
  if (r.status >= 500) return `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
  // The health check names the weights folder setup loaded from, by design (an operator's diagnosis); no other answer may.
  const leaked = leak(r.text, c.path.startsWith('/health-check') ? [] : [REPO_ROOT, weights]);
  if (leaked) return `response shows ${JSON.stringify(leaked)}: ${r.text.slice(0, 200)}`;
  if (c.expect && !c.expect.includes(r.status)) return `HTTP ${r.status}, expected ${c.expect.join(' or ')}: ${r.text.slice(0, 200)}`;
  if (r.status < 300 && r.body?.status === 'failed') return `a failed prediction: ${r.body.error}`;
  return undefined;
}

/**
 * Polls /health-check until stopped, from a worker thread: its own event loop,
 * so the latencies measure the server, not this busy test thread.
 */
function pollHealth(url: string): { stop(): Promise<number[]> } {
  const worker = new Worker(POLLER, { eval: true, workerData: { url } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  return {
    async stop() {
      worker.postMessage('stop');
      const [latencies] = (await Promise.race([once(worker, 'message'), failed])) as [number[]];
      await worker.terminate();
      return latencies;
    },
  };
}

const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const latencies = [];
let running = true;
parentPort.once('message', () => (running = false));
const get = () => new Promise((resolve, reject) => {
  const t0 = performance.now();
  http.get(workerData.url + '/health-check', { agent: false }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error('health-check answered ' + res.statusCode))));
  }).on('error', reject);
});
(async () => {
  while (running) {
    latencies.push(await get());
    await new Promise((r) => setTimeout(r, 25));
  }
  parentPort.postMessage(latencies);
})().catch((err) => { throw err; });
`;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
