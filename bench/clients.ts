// Drives a workload's requests from its concurrent clients: each client sends
// its next request when the previous one has returned.
import type { BenchText, WorkloadData } from './types.ts';

export type SendRequest = (texts: BenchText[]) => Promise<void>;

export interface ClientRun {
  wallMs: number;
  /** One per request, in request order. */
  latenciesMs: number[];
}

/** Client c sends requests c, c + K, c + 2K, … (K = concurrency), one after another. */
export async function driveClients(w: WorkloadData, send: SendRequest): Promise<ClientRun> {
  const latenciesMs = new Array<number>(w.requests.length);
  const start = performance.now();
  const client = async (c: number) => {
    for (let r = c; r < w.requests.length; r += w.concurrency) {
      const t = performance.now();
      await send(w.requests[r].map((i) => w.texts[i]));
      latenciesMs[r] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: w.concurrency }, (_, c) => client(c)));
  return { wallMs: performance.now() - start, latenciesMs };
}

/** The texts of requests taken `concurrency` at a time: what is in flight together. */
export function waves(w: WorkloadData): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < w.requests.length; r += w.concurrency) out.push(w.requests.slice(r, r + w.concurrency).flat());
  return out;
}
