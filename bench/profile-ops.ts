// Reads an onnxruntime profile (SessionOptions.enableProfiling) and says where
// the last `runs` forward passes spent their time, by operator type. Nodes
// inside a subgraph (the attention Loop's body, the If's branches) are
// counted in their Loop or If, not again on their own: a node is taken for a
// subgraph's when its time lies within a Loop's or If's. The profiler times every
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
  calls: Record<string, number>;
}

export function opShares(file: string, runs: number): OpShares[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const passes = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(-runs);
  const nodes = topLevelNodes(events);
  return passes.map((pass) => {
    const opMs: Record<string, number> = {};
    const calls: Record<string, number> = {};
    for (const n of nodes) {
      if (n.ts < pass.ts || n.ts > pass.ts + pass.dur) continue;
      const op = n.args?.op_name ?? '?';
      opMs[op] = (opMs[op] ?? 0) + n.dur / 1000;
      calls[op] = (calls[op] ?? 0) + 1;
    }
    return { passMs: pass.dur / 1000, opMs, calls };
  });
}

const CONTROL_FLOW = new Set(['Loop', 'If', 'Scan']);

function topLevelNodes(events: ProfileEvent[]): ProfileEvent[] {
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const spans = nodes.filter((n) => CONTROL_FLOW.has(n.args?.op_name ?? '')).map((n) => [n.ts, n.ts + n.dur] as const);
  return nodes.filter((n) => !spans.some(([from, to]) => n.ts > from && n.ts + n.dur <= to));
}

/** Per operator type, mean ms per pass and µs per call over `shares`, largest first. */
export function perOperator(shares: OpShares[]): { op: string; msPerPass: number; callsPerPass: number; usPerCall: number }[] {
  const ms = new Map<string, number>();
  const calls = new Map<string, number>();
  for (const s of shares) {
    for (const [op, t] of Object.entries(s.opMs)) ms.set(op, (ms.get(op) ?? 0) + t);
    for (const [op, c] of Object.entries(s.calls)) calls.set(op, (calls.get(op) ?? 0) + c);
  }
  return [...ms]
    .map(([op, t]) => ({ op, msPerPass: t / shares.length, callsPerPass: calls.get(op)! / shares.length, usPerCall: (1000 * t) / calls.get(op)! }))
    .sort((a, b) => b.msPerPass - a.msPerPass);
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
