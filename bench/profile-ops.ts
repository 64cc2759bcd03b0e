// Reads an onnxruntime profile (SessionOptions.enableProfiling) and says where
// the last `runs` forward passes spent their time, by operator type. Nodes
// inside a subgraph (the attention Loop's body, named bge_m3_chunk*) are
// counted in their Loop, not again on their own. The profiler times every
// node, which slows small operators more than large ones: read the shares as
// where the time goes, not as what each operator costs unprofiled.
import { readFileSync } from 'node:fs';

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

/** Per run: ms of the whole pass, and the ms of each top-level operator type. */
export interface OpShares {
  passMs: number;
  opMs: Record<string, number>;
}

export function opShares(file: string, runs: number): OpShares[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const passes = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(-runs);
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && !e.name.startsWith('bge_m3_chunk'));
  return passes.map((pass) => {
    const opMs: Record<string, number> = {};
    for (const n of nodes) {
      if (n.ts < pass.ts || n.ts > pass.ts + pass.dur) continue;
      const op = n.args?.op_name ?? '?';
      opMs[op] = (opMs[op] ?? 0) + n.dur / 1000;
    }
    return { passMs: pass.dur / 1000, opMs };
  });
}

/** "DynamicQuantizeMatMul 67 %, Loop 13 %, …, other 20 %": the `top` largest operator types; other is the rest of the pass. */
export function describeShares(shares: OpShares[], top = 3): string {
  const total = shares.reduce((a, s) => a + s.passMs, 0);
  const byOp = new Map<string, number>();
  for (const s of shares) for (const [op, ms] of Object.entries(s.opMs)) byOp.set(op, (byOp.get(op) ?? 0) + ms);
  const named = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, top);
  const pct = (ms: number) => `${Math.round((100 * ms) / total)} %`;
  const rest = total - named.reduce((a, [, ms]) => a + ms, 0);
  return [...named.map(([op, ms]) => `${op} ${pct(ms)}`), `other ${pct(rest)}`].join(', ');
}
