// Process-level measurements shared by the systems.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BgeTokenizer } from '../../src/engine/tokenizer/bge-tokenizer.ts';
import type { WorkloadData } from '../types.ts';

/** Peak resident set of this process so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Current and peak resident set of another process, from /proc (Linux). */
export function procRss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(/(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS:'), peak: kib('VmHWM:') };
}

/** Runs `fn` while watching how long the event loop goes without a turn. */
export async function withLoopWatch<T>(fn: () => Promise<T>): Promise<{ value: T; maxStallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const value = await fn();
    return { value, maxStallMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}

/** Time our tokenizer takes for every text of the workload (what predict() does before batching). */
export async function ourTokenizeMs(tokenizerPath: string, w: WorkloadData): Promise<number> {
  const tokenizer = await BgeTokenizer.fromFile(tokenizerPath);
  const start = performance.now();
  for (const t of w.texts) tokenizer.encode(t.text, 8192);
  return performance.now() - start;
}

export function realTokens(w: WorkloadData): number {
  return w.texts.reduce((n, t) => n + t.ids.length, 0);
}
