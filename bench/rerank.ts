// The cost of reranking against /predictions, on one server:
//   npx tsx bench/rerank.ts [--rounds N] [--latency-requests N] [--weights DIR] [--section NAME] [--no-write]
// One server process (bench/http-server.ts) on the full-size generated model
// (or DIR). Throughput: 100 passages of 128 tokens and one query of 8-12
// tokens, in one request, through POST /predictions (its default outputs plus
// scores: what a client without a rerank route sends), /predictions asking for
// scores only, Cohere's /v2/rerank and TEI's /rerank, alternating round after
// round; each is a ratio to /predictions' time in the same run. Latency: 20
// passages for one query, one request at a time, /v2/rerank against
// /predictions (scores only). Every answer's scores are checked against
// /predictions' own. Writes the tables into BENCHMARKS.md (section "rerank").
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BATCH_TOKENS } from '../predict.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { TextMaker } from './corpus.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel, REPO_ROOT } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { quantile } from './stats.ts';
import { listeningUrl, SERVER_SCRIPT, stop, waitReady } from './systems/http.ts';

const SEED = 20250601;
const PASSAGES = 100;
const PASSAGE_TOKENS = 128;
const LATENCY_PASSAGES = 20;

/** A route: sends the query and passages, returns each passage's hybrid score in passage order. */
interface Route {
  name: string;
  send(url: string, query: string, passages: string[]): Promise<number[]>;
}

/** Bytes of each route's response body (the last one read), for the table. */
const responseBytes = new Map<string, number>();
let lastBytes = 0;

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  lastBytes = Buffer.byteLength(text);
  return JSON.parse(text);
}

function byIndex(n: number, ranks: { index: number; score: number }[]): number[] {
  const out = new Array<number>(n);
  for (const r of ranks) out[r.index] = r.score;
  return out;
}

const PREDICTIONS: Route = {
  name: '/predictions (default outputs + scores)',
  send: async (url, query, texts) => (await post(`${url}/predictions`, { input: { texts, query } })).output.scores.hybrid,
};
const SCORES_ONLY: Route = {
  name: '/predictions (scores only)',
  send: async (url, query, texts) =>
    (await post(`${url}/predictions`, { input: { texts, query, return_dense: false, return_sparse: false } })).output.scores.hybrid,
};
const COHERE_V2: Route = {
  name: 'Cohere /v2/rerank',
  send: async (url, query, documents) =>
    byIndex(
      documents.length,
      (await post(`${url}/v2/rerank`, { model: 'BAAI/bge-m3', query, documents })).results.map((r: { index: number; relevance_score: number }) => ({
        index: r.index,
        score: r.relevance_score,
      })),
    ),
};
const TEI: Route = {
  name: 'TEI /rerank',
  send: async (url, query, texts) => byIndex(texts.length, await post(`${url}/rerank`, { query, texts })),
};
const THROUGHPUT_ROUTES = [PREDICTIONS, SCORES_ONLY, COHERE_V2, TEI];
const LATENCY_ROUTES = [SCORES_ONLY, COHERE_V2];

interface Timing {
  route: string;
  ms: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      'latency-requests': { type: 'string', default: '20' },
      weights: { type: 'string' },
      section: { type: 'string', default: 'rerank' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const latencyRequests = Number(values['latency-requests']);
  const loadBefore = loadAverage();
  const started = Date.now();
  const modelDir = values.weights ? path.resolve(values.weights) : ensureFullModel(console.log);
  const tokenizer = await BgeTokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  const make = new TextMaker((text) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).ids, SEED);
  const query = make.make(10).text;
  const passages = Array.from({ length: PASSAGES }, () => make.make(PASSAGE_TOKENS).text);

  const server = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, modelDir], {
    env: { ...process.env, BGE_M3_MAX_BATCH_TOKENS: String(DEFAULT_MAX_BATCH_TOKENS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const throughput: Timing[] = [];
  const latency: Timing[] = [];
  try {
    const url = await listeningUrl(server);
    await waitReady(url);
    const oracle = await SCORES_ONLY.send(url, query, passages); // also the warm-up
    const check = (name: string, got: number[], want: number[]) => {
      const worst = Math.max(...want.map((w, i) => Math.abs(w - got[i])));
      if (!(worst <= 1e-5)) throw new Error(`${name}: scores differ from /predictions' by ${worst}`);
    };
    for (let round = 0; round < rounds; round++) {
      for (const route of THROUGHPUT_ROUTES) {
        const t0 = performance.now();
        const scores = await route.send(url, query, passages);
        const ms = performance.now() - t0;
        check(route.name, scores, oracle);
        responseBytes.set(route.name, lastBytes);
        throughput.push({ route: route.name, ms });
        console.log(`round ${round + 1} ${route.name}: ${(ms / 1000).toFixed(2)} s`);
      }
    }
    const few = passages.slice(0, LATENCY_PASSAGES);
    const fewOracle = oracle.slice(0, LATENCY_PASSAGES);
    for (let i = 0; i < latencyRequests; i++) {
      for (const route of LATENCY_ROUTES) {
        const t0 = performance.now();
        const scores = await route.send(url, query, few);
        latency.push({ route: route.name, ms: performance.now() - t0 });
        check(route.name, scores, fewOracle);
      }
    }
  } finally {
    await stop(server);
  }
  const report = render({
    command: process.argv.slice(2).join(' '),
    rounds,
    latencyRequests,
    throughput,
    latency,
    modelDir,
    generated: !values.weights,
    loadBefore,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(`\n${report}`);
  if (!values['no-write']) replaceSection(values.section!, report);
}

interface ReportInput {
  command: string;
  rounds: number;
  latencyRequests: number;
  throughput: Timing[];
  latency: Timing[];
  modelDir: string;
  generated: boolean;
  loadBefore: string;
  minutes: number;
}

function render(r: ReportInput): string {
  const m = describeMachine();
  const times = (all: Timing[], route: string) => all.filter((t) => t.route === route).map((t) => t.ms);
  const best = (route: string) => Math.min(...times(r.throughput, route));
  const median = (route: string) => quantile(times(r.throughput, route), 0.5);
  const base = { best: best(PREDICTIONS.name), median: median(PREDICTIONS.name) };
  const rows = THROUGHPUT_ROUTES.map((route) => {
    const b = best(route.name);
    const md = median(route.name);
    const cells = [
      `${((responseBytes.get(route.name) ?? 0) / 1024).toFixed(0)} KiB`,
      (b / 1000).toFixed(2),
      `${(b / base.best).toFixed(2)}×`,
      (md / 1000).toFixed(2),
      `${(md / base.median).toFixed(2)}×`,
      times(r.throughput, route.name)
        .map((ms) => (ms / 1000).toFixed(2))
        .join(', '),
    ];
    return `| ${route.name} | ${cells.join(' | ')} |`;
  });
  const latencyBase = quantile(times(r.latency, SCORES_ONLY.name), 0.5);
  const latencyRows = LATENCY_ROUTES.map((route) => {
    const t = times(r.latency, route.name);
    return `| ${route.name} | ${quantile(t, 0.5).toFixed(0)} | ${(quantile(t, 0.5) / latencyBase).toFixed(2)}× | ${quantile(t, 0.95).toFixed(0)} | ${Math.min(...t).toFixed(0)} |`;
  });
  return [
    `Command: \`npx tsx bench/rerank.ts${r.command ? ` ${r.command}` : ''}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${r.minutes.toFixed(1)} min.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM; Node ${m.node}, onnxruntime-node ${m.onnxruntime}. Load average (1, 5, 15 min) before: ${r.loadBefore}; after: ${loadAverage()}.`,
    `Model: ${r.generated ? 'the generated full-size BGE-M3' : 'the model'} in \`${path.relative(REPO_ROOT, r.modelDir)}\`. ${PASSAGES} passages of ${PASSAGE_TOKENS} tokens and one query of 10 tokens in one request; ${r.rounds} rounds, routes alternating on one server; times (seconds per request) compared with /predictions' in the same run. Every answer's scores equal /predictions' (checked).`,
    '',
    '| route | response | best s | vs /predictions | median s | vs /predictions | every round (s) |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `Latency: ${LATENCY_PASSAGES} of those passages against the query, one request at a time, ${r.latencyRequests} requests per route, alternating.`,
    '',
    '| route | p50 ms | vs /predictions (scores only) | p95 ms | best ms |',
    '|---|---:|---:|---:|---:|',
    ...latencyRows,
  ].join('\n');
}

await main();
