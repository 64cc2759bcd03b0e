// Turns the children's results into the tables printed and written to
// BENCHMARKS.md: one table per workload, ratios to the ceiling, and the
// acceptance checks of the performance issue.
import type { Machine } from './machine.ts';
import { GIB, quantile } from './stats.ts';
import type { RunResult, SystemName } from './types.ts';
import type { WorkloadSpec } from './workloads.ts';

export interface ReportInput {
  command: string;
  date: string;
  machine: Machine;
  loadBefore: string;
  loadAfter: string;
  modelDir: string;
  /** Whether the model is the generated one (random weights) rather than --weights. */
  generated: boolean;
  weightBytes: number;
  maxBatchTokens: number;
  specs: WorkloadSpec[];
  results: RunResult[];
  failures: string[];
  durationMs: number;
}

/** Real tokens per second; the ceiling counts the tokens it ran (its rows are cut to equal length). */
export function tokensPerSecond(r: RunResult): number {
  return ((r.system === 'ceiling' ? (r.ranTokens ?? r.tokens) : r.tokens) * 1000) / r.wallMs;
}

const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const gib = (bytes: number) => `${num(bytes / GIB, 2)} GiB`;
const pct = (x: number) => `${num(100 * x, 1)} %`;
const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${num(x, 2)}×`);

function runsOf(results: RunResult[], workload: string, system: SystemName): RunResult[] {
  return results.filter((r) => r.workload === workload && r.system === system);
}

/** The fastest of a system's runs on a workload: other processes on the machine only ever slow a run down. */
function find(results: RunResult[], workload: string, system: SystemName): RunResult | undefined {
  return runsOf(results, workload, system).sort((a, b) => tokensPerSecond(b) - tokensPerSecond(a))[0];
}

function workloadTable(spec: WorkloadSpec, results: RunResult[]): string {
  const rows = [...new Set(results.filter((r) => r.workload === spec.name).map((r) => r.system))].map((s) => find(results, spec.name, s)!);
  const ceiling = find(results, spec.name, 'ceiling');
  const spread = (r: RunResult) => {
    const all = runsOf(results, spec.name, r.system).map(tokensPerSecond);
    return all.length < 2 ? '1' : `${all.length}: ${num(Math.min(...all))}–${num(Math.max(...all))}`;
  };
  const columns = [
    'system',
    'tokens/s',
    'runs (tokens/s)',
    'texts/s',
    'vs ceiling',
    'p50 ms',
    'p99 ms',
    'peak RSS',
    'RSS after setup',
    'tokenizing',
    'ran / real tokens',
    'batches',
    'model time',
    'max loop stall',
  ];
  const head = [
    `### ${spec.name}: ${spec.describe}`,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map((c) => (c === 'system' || c.startsWith('runs') ? '---' : '---:')).join('|')}|`,
  ];
  const lines = rows.map((r) => {
    const tps = tokensPerSecond(r);
    const cells = [
      r.system,
      num(tps, tps < 100 ? 1 : 0),
      spread(r),
      num((r.texts * 1000) / r.wallMs, 2),
      ceiling ? ratio(tps / tokensPerSecond(ceiling)) : '–',
      num(quantile(r.latenciesMs, 0.5)),
      num(quantile(r.latenciesMs, 0.99)),
      gib(r.peakRss),
      gib(r.rssAfterSetup),
      pct(r.tokenizeMs / r.wallMs),
      r.ranTokens === undefined ? '–' : num(r.ranTokens / r.tokens, 2),
      r.batches === undefined ? '–' : String(r.batches),
      r.modelMs === undefined ? '–' : pct(r.modelMs / r.wallMs),
      r.maxLoopStallMs === undefined ? '–' : `${num(r.maxLoopStallMs)} ms`,
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [...head, ...lines].join('\n');
}

interface Check {
  what: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

function acceptance(input: ReportInput): Check[] {
  const { results } = input;
  const tps = (w: string, s: SystemName) => {
    const r = find(results, w, s);
    return r ? tokensPerSecond(r) : NaN;
  };
  const doc = input.specs.find((s) => s.name.startsWith('doc-'))?.name ?? 'doc';
  const mixedVsCeiling = tps('mixed', 'predictor') / tps('mixed', 'ceiling');
  const concurrency = tps('queries-16', 'predictor') / tps('queries-1', 'predictor');
  const vsPeer = tps('mixed', 'predictor') / tps('mixed', 'transformers-js');
  const httpOverhead = 1 - tps('passages-128', 'http') / tps('passages-128', 'predictor');
  const docRun = find(results, doc, 'predictor');
  const docRss = docRun ? docRun.peakRss / input.weightBytes : NaN;
  const check = (x: number, ok: (v: number) => boolean) => (Number.isFinite(x) ? ok(x) : undefined);
  return [
    { what: 'mixed corpus: predictor / ORT ceiling', target: '≥ 0.90×', measured: ratio(mixedVsCeiling), pass: check(mixedVsCeiling, (v) => v >= 0.9) },
    {
      what: 'queries: 16 concurrent clients / one client at a time (predictor)',
      target: '≥ 2×',
      measured: ratio(concurrency),
      pass: check(concurrency, (v) => v >= 2),
    },
    { what: 'mixed corpus: predictor / transformers.js', target: '≥ 1.5×', measured: ratio(vsPeer), pass: check(vsPeer, (v) => v >= 1.5) },
    { what: 'passages-128: HTTP overhead vs in-process', target: '≤ 5 %', measured: pct(httpOverhead), pass: check(httpOverhead, (v) => v <= 0.05) },
    {
      what: `${doc}: predictor peak RSS / weights (${gib(input.weightBytes)})`,
      target: '≤ 2×',
      measured: docRun ? `${ratio(docRss)} (${gib(docRun.peakRss)}; ${gib(docRun.rssAfterSetup)} after setup)` : '–',
      pass: check(docRss, (v) => v <= 2),
    },
  ];
}

export function renderReport(input: ReportInput): string {
  const m = input.machine;
  const checks = acceptance(input).map((c) => `| ${c.what} | ${c.target} | ${c.measured} | ${c.pass === undefined ? 'not run' : c.pass ? 'yes' : '**no**'} |`);
  return [
    `Command: \`${input.command}\` — ${input.date}, ${num(input.durationMs / 60000, 1)} min.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${num(m.memoryGiB, 1)} GiB RAM, ${m.os}; Node ${m.node}, onnxruntime-node ${m.onnxruntime}, @huggingface/transformers ${m.transformersJs}.`,
    `CPU int8 features: ${m.int8}.`,
    `Load average (1, 5, 15 min) before: ${input.loadBefore}; after: ${input.loadAfter}.`,
    `Model: ${input.generated ? 'the generated full-size BGE-M3' : 'BGE-M3'} in \`${input.modelDir}\` (weights ${gib(input.weightBytes)}); token budget ${input.maxBatchTokens} padded tokens per batch.`,
    '',
    '#### Acceptance',
    '',
    '| criterion | target | measured | met |',
    '|---|---|---|---|',
    ...checks,
    '',
    ...input.specs.flatMap((s) => [workloadTable(s, input.results), '']),
    ...(input.failures.length ? ['#### Failures', '', ...input.failures.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
}
