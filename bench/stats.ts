// Small statistics for the benchmark tables.

/** The q-quantile (0..1) by nearest rank; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export const GIB = 2 ** 30;

/** Each call's wall and CPU time in ms (CPU: every thread of the process, user + system). */
export interface CallTimes {
  wall: number[];
  cpu: number[];
}

/**
 * Times `reps` calls of each run, alternating call by call after `warmup` untimed rounds, so a
 * shared machine's load falls on every run alike.
 */
export async function alternateCalls(runs: Record<string, () => Promise<unknown>>, reps: number, warmup: number): Promise<Record<string, CallTimes>> {
  const times: Record<string, CallTimes> = Object.fromEntries(Object.keys(runs).map((k) => [k, { wall: [], cpu: [] }]));
  for (let r = 0; r < reps + warmup; r++) {
    for (const [name, run] of Object.entries(runs)) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await run();
      const c = process.cpuUsage(c0);
      if (r < warmup) continue;
      times[name].wall.push(performance.now() - t0);
      times[name].cpu.push((c.user + c.system) / 1000);
    }
  }
  return times;
}
