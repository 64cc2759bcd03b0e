// Issue #19's second benchmark: one document of 8192 tokens, on the generated
// full-size model, three ways:
//   plain chunks   its 16 chunks of 512 tokens run as separate texts (through
//                  the token-budget scheduler, as the Predictor batches them)
//   contextual     one pass of the whole document; each chunk's sparse weights
//                  and ColBERT rows sliced from it, its dense vector pooled
//   MCLS           one pass of the document with an <s> every 256 tokens, the
//                  dense vector pooled at those <s> (dense only)
// Plain and contextual compute dense, sparse and ColBERT. Times alternate
// system by system in one process (ratios against plain chunks, same run);
// peak RSS comes from a child process per system (its own peak, minus its RSS
// once the model is loaded).
//   npx tsx bench/long-document.ts [--rounds 2] [--write]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BATCH_TOKENS } from '../predict.ts';
import { embedContextual } from '../src/api/chunking/contextual.ts';
import type { ChunkPlan } from '../src/api/chunking/types.ts';
import { MCLS_MAX_CONTENT, mclsInput } from '../src/api/mcls.ts';
import { Scheduler } from '../src/engine/batching/scheduler.ts';
import { BgeM3Onnx } from '../src/engine/onnx/onnx-model.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { ensureFullModel } from './model-cache.ts';
import { replaceSection } from './report-file.ts';
import { quantile } from './stats.ts';

const SYSTEMS = ['plain chunks', 'contextual chunks', 'MCLS'] as const;
type System = (typeof SYSTEMS)[number];
const CHUNK = 512;
const ALL = { dense: true, sparse: true, colbert: true };
const WORDS = 'the river bank at dawn where a quick brown fox met seven lazy dogs and talked about prices of 5.5 dollars'.split(' ');
const MIB = 2 ** 20;

interface Loaded {
  model: BgeM3Onnx;
  scheduler: Scheduler;
  content: number[];
  dim: number;
}

async function load(): Promise<Loaded> {
  const files = await findModelFiles(ensureFullModel(console.error));
  const model = await BgeM3Onnx.load(files);
  const scheduler = new Scheduler((b, n, p) => model.run(b, n, p), { maxBatchTokens: DEFAULT_MAX_BATCH_TOKENS });
  const text = Array.from({ length: 12000 }, (_, i) => (i % 4 === 0 ? `n${i}` : WORDS[(i * 7) % WORDS.length])).join(' ');
  const ids = (await BgeTokenizer.fromFile(files.tokenizer)).encode(text, MCLS_MAX_CONTENT + 2).ids;
  const [warm] = await model.run([[0, 2]], ALL);
  return { model, scheduler, content: ids.slice(1, -1), dim: warm.dense!.length };
}

function plans(content: number[]): ChunkPlan[] {
  const out: ChunkPlan[] = [];
  for (let s = 0; s < content.length; s += CHUNK) {
    const e = Math.min(s + CHUNK, content.length);
    out.push({ index: out.length, tokenStart: s, tokenEnd: e, start: 0, end: 0, cut: 'token', ids: [0, ...content.slice(s, e), 2] });
  }
  return out;
}

function runner(l: Loaded): Record<System, () => Promise<unknown>> {
  const chunks = plans(l.content);
  const mcls = mclsInput([0, ...l.content, 2]);
  return {
    'plain chunks': () =>
      l.scheduler.submit(
        chunks.map((c) => c.ids),
        ALL,
      ),
    'contextual chunks': () =>
      embedContextual(chunks, 8192, l.dim, (ids, pools) => l.scheduler.submit(ids, { dense: false, sparse: true, colbert: true }, { pools })),
    MCLS: () => l.scheduler.submit([mcls.ids], { dense: false, sparse: false, colbert: false }, { pools: [[mcls.pool]] }),
  };
}

async function child(system: System): Promise<void> {
  const l = await load();
  const loadedRss = process.memoryUsage().rss;
  await runner(l)[system]();
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`RESULT ${JSON.stringify({ loadedRss, peak })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '2' }, write: { type: 'boolean', default: false }, child: { type: 'string' } },
  });
  if (values.child) return child(values.child as System);
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const memory = {} as Record<System, { loadedRss: number; peak: number }>;
  for (const s of SYSTEMS) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', s], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    memory[s] = JSON.parse(/RESULT (.*)/.exec(out)![1]);
    console.error(`${s}: peak RSS ${(memory[s].peak / MIB).toFixed(0)} MiB (${(memory[s].loadedRss / MIB).toFixed(0)} MiB once loaded)`);
  }
  const l = await load();
  const run = runner(l);
  const times = Object.fromEntries(SYSTEMS.map((s) => [s, [] as number[]])) as Record<System, number[]>;
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const s of r % 2 ? [...SYSTEMS].reverse() : SYSTEMS) {
      const t0 = performance.now();
      await run[s]();
      times[s].push((performance.now() - t0) / 1000);
      console.error(`round ${r + 1}: ${s} ${times[s].at(-1)!.toFixed(1)} s`);
    }
  }
  const base = quantile(times['plain chunks'], 0.5);
  const basePeak = memory['plain chunks'].peak - memory['plain chunks'].loadedRss;
  const lines = [
    '## Long documents: contextual chunks and MCLS against plain chunks (`npx tsx bench/long-document.ts --write`)',
    '',
    `${machine.cpu}, ${machine.cores} cores, int8: ${machine.int8}; Node ${machine.node}, onnxruntime-node ${machine.onnxruntime}; ${new Date().toISOString().slice(0, 10)}.`,
    `Load average ${loadBefore} before, ${loadAverage()} after: the machine was shared with other work, so the times are noisy; the ratios come from the same rounds.`,
    '',
    `One document of ${l.content.length + 2} tokens (${l.content.length} between <s> and </s>, the most MCLS takes) on the generated full-size model (fp32), the engine on the bench thread.`,
    `Plain: its ${Math.ceil(l.content.length / CHUNK)} chunks of ${CHUNK} tokens as separate texts through the scheduler (dense, sparse, ColBERT). Contextual: one pass of the whole document, each chunk's`,
    'sparse and ColBERT sliced from it and its dense pooled (the pool head). MCLS: one pass of the document with an <s> every 256 tokens (8192 ids), dense only. Times: the median',
    `(nearest rank) of ${values.rounds} rounds alternating system by system, the order reversed every other round; the ratio of each round beside it. Peak RSS: a child process`,
    'per system, its peak minus its RSS once the model was loaded.',
    '',
    '| system | forward passes | time | vs plain chunks | per round | peak RSS | above loaded | vs plain chunks |',
    '|---|---|---|---|---|---|---|---|',
    ...SYSTEMS.map((s) => {
      const t = quantile(times[s], 0.5);
      const above = memory[s].peak - memory[s].loadedRss;
      const passes =
        s === 'plain chunks' ? `${Math.ceil(l.content.length / CHUNK)} × ${CHUNK + 2} tokens` : `1 × ${s === 'MCLS' ? 8192 : l.content.length + 2} tokens`;
      const rounds = times[s].map((x, r) => `×${(x / times['plain chunks'][r]).toFixed(2)}`).join(', ');
      return `| ${s} | ${passes} | ${t.toFixed(1)} s | ×${(t / base).toFixed(2)} | ${rounds} | ${(memory[s].peak / MIB).toFixed(0)} MiB | ${(above / MIB).toFixed(0)} MiB | ×${(above / basePeak).toFixed(2)} |`;
    }),
  ];
  console.log(lines.join('\n'));
  if (values.write) replaceSection('long-document', lines.join('\n'));
  await l.model.release();
}

await main();
