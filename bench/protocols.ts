// HTTP overhead of the OpenAI and TEI doors:
//   npx tsx bench/protocols.ts [--quick] [--rounds N] [--weights DIR] [--section NAME] [--no-write]
// One server process (bench/http-server.ts) on the full-size generated model
// (or DIR); the queries-16 workload (16 concurrent clients, one 8-12 token
// query per request) sent through POST /predictions (dense only, the same
// work as the others), POST /v1/embeddings (float, and base64 as the OpenAI
// SDKs ask by default) and TEI's POST /embed, alternating routes round after
// round on the same server. Prints each route's throughput as a ratio to
// /predictions' and writes the table into BENCHMARKS.md (section "protocols",
// or NAME).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BATCH_TOKENS } from '../predict.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { driveClients } from './clients.ts';
import { TextMaker } from './corpus.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel, REPO_ROOT } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { quantile } from './stats.ts';
import { listeningUrl, SERVER_SCRIPT, stop, waitReady } from './systems/http.ts';
import type { WorkloadData } from './types.ts';
import { buildWorkload, workloadSpecs } from './workloads.ts';

const SEED = 20250601; // bench/run.ts's: the same queries-16 texts as `npm run bench`

/** A route: how to send one request's texts and read back how many tokens each was embedded with. */
interface Route {
  name: string;
  send(url: string, texts: string[]): Promise<number[]>;
}

async function post(url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res;
}

const ROUTES: Route[] = [
  {
    name: '/predictions (return_sparse: false)',
    send: async (url, texts) =>
      ((await (await post(`${url}/predictions`, { input: { texts, return_sparse: false } })).json()) as { output: { token_counts: number[] } }).output
        .token_counts,
  },
  {
    name: '/v1/embeddings (float)',
    send: async (url, texts) => [
      ((await (await post(`${url}/v1/embeddings`, { input: texts, encoding_format: 'float' })).json()) as { usage: { total_tokens: number } }).usage
        .total_tokens,
    ],
  },
  {
    name: '/v1/embeddings (base64)',
    send: async (url, texts) => [
      ((await (await post(`${url}/v1/embeddings`, { input: texts, encoding_format: 'base64' })).json()) as { usage: { total_tokens: number } }).usage
        .total_tokens,
    ],
  },
  {
    name: 'TEI /embed',
    send: async (url, texts) => {
      const res = await post(`${url}/embed`, { inputs: texts });
      await res.json();
      return [Number(res.headers.get('x-compute-tokens'))];
    },
  },
];

interface Run {
  route: string;
  wallMs: number;
  latenciesMs: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      weights: { type: 'string' },
      section: { type: 'string', default: 'protocols' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick!;
  const rounds = Number(values.rounds ?? (quick ? 3 : 2));
  const loadBefore = loadAverage();
  const started = Date.now();
  const modelDir = values.weights ? path.resolve(values.weights) : ensureFullModel(console.log);
  const w = await queries16(quick, path.join(modelDir, 'tokenizer.json'));
  const tokens = w.texts.reduce((n, t) => n + t.ids.length, 0);

  const server = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, modelDir], {
    env: { ...process.env, BGE_M3_MAX_BATCH_TOKENS: String(DEFAULT_MAX_BATCH_TOKENS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const runs: Run[] = [];
  try {
    const url = await listeningUrl(server);
    await waitReady(url);
    for (const route of ROUTES) await route.send(url, ['warm up']);
    for (let round = 0; round < rounds; round++) {
      for (const route of ROUTES) {
        const run = await driveClients(w, async (texts) => {
          const counts = await route.send(
            url,
            texts.map((t) => t.text),
          );
          const want = texts.reduce((n, t) => n + t.ids.length, 0);
          if (counts.reduce((a, b) => a + b, 0) !== want) throw new Error(`${route.name} embedded ${counts} tokens where the workload has ${want}`);
        });
        runs.push({ route: route.name, ...run });
        console.log(`round ${round + 1} ${route.name}: ${(tokens / (run.wallMs / 1000)).toFixed(1)} tokens/s`);
      }
    }
  } finally {
    await stop(server);
  }
  const report = render({
    command: process.argv.slice(2).join(' '),
    quick,
    rounds,
    w,
    tokens,
    runs,
    modelDir,
    generated: !values.weights,
    loadBefore,
    minutes: (Date.now() - started) / 60000,
  });
  console.log(`\n${report}`);
  if (!values['no-write']) replaceSection(values.section!, report);
}

async function queries16(quick: boolean, tokenizerPath: string): Promise<WorkloadData> {
  const specs = workloadSpecs(quick);
  const index = specs.findIndex((s) => s.name === 'queries-16');
  const tokenizer = await BgeTokenizer.fromFile(tokenizerPath);
  const make = new TextMaker((text) => tokenizer.encode(text, Number.MAX_SAFE_INTEGER).ids, SEED);
  return buildWorkload(specs[index], make, SEED + index);
}

interface ReportInput {
  command: string;
  quick: boolean;
  rounds: number;
  w: WorkloadData;
  tokens: number;
  runs: Run[];
  modelDir: string;
  generated: boolean;
  loadBefore: string;
  minutes: number;
}

function render(r: ReportInput): string {
  const m = describeMachine();
  const tps = (run: Run) => r.tokens / (run.wallMs / 1000);
  const best = (route: string) => r.runs.filter((x) => x.route === route).reduce((a, b) => (tps(b) > tps(a) ? b : a));
  const median = (route: string) => quantile(r.runs.filter((x) => x.route === route).map(tps), 0.5);
  const base = tps(best(ROUTES[0].name));
  const baseMedian = median(ROUTES[0].name);
  const rows = ROUTES.map((route) => {
    const all = r.runs.filter((x) => x.route === route.name).map(tps);
    const b = best(route.name);
    const cells = [tps(b).toFixed(0), `${(tps(b) / base).toFixed(2)}×`, median(route.name).toFixed(0), `${(median(route.name) / baseMedian).toFixed(2)}×`];
    return `| ${route.name} | ${cells.join(' | ')} | ${all.map((v) => v.toFixed(0)).join(', ')} | ${quantile(b.latenciesMs, 0.5).toFixed(0)} | ${quantile(b.latenciesMs, 0.95).toFixed(0)} |`;
  });
  return [
    `Command: \`npx tsx bench/protocols.ts${r.command ? ` ${r.command}` : ''}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${r.minutes.toFixed(1)} min.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM; Node ${m.node}, onnxruntime-node ${m.onnxruntime}. Load average (1, 5, 15 min) before: ${r.loadBefore}; after: ${loadAverage()}.`,
    `Model: ${r.generated ? 'the generated full-size BGE-M3' : 'the model'} in \`${path.relative(REPO_ROOT, r.modelDir)}\`. Workload: queries-16${r.quick ? ' (--quick size)' : ''}, ${r.w.texts.length} queries of 8-12 tokens (${r.tokens} tokens), one per request, ${r.w.concurrency} concurrent clients; ${r.rounds} rounds, routes alternating on one server; each route's best and median rounds are compared with /predictions'.`,
    '',
    '| route | tokens/s, best round | vs /predictions | median round | vs /predictions | every round (tokens/s) | p50 ms (best round) | p95 ms |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
    ...rows,
  ].join('\n');
}

await main();
