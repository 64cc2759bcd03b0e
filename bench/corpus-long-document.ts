// Peak memory of the corpus job on one long document with --chunk-tokens and --colbert:
//   npx tsx bench/corpus-long-document.ts [--weights DIR] [--tokens 10000,100000] [--contexts none,document] [--no-write]
// The real CLI (bench/corpus-rss-child.ts) embeds a JSONL file holding one generated document of
// each size, for --chunk-context none and document; its peak RSS (model worker included) against
// the smallest size's, in the same invocation. A job that held a document's chunk rows (or handed
// them to the Parquet writer all at once) would grow with the document; one that streams them
// should not. Default model: the tiny generated test model (32 dimensions), which makes a
// 100k-token document a few seconds' work; --weights for another.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { seededRandom } from '../tools/fixtures/tokenizer/corpus.ts';
import { ensureTestModels } from '../tools/fixtures/test-model/cached-models.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { BENCH_CACHE, REPO_ROOT } from './model-cache.ts';
import { replaceSection } from './report-file.ts';

const SEED = 20261207;
const RSS_CHILD = fileURLToPath(new URL('./corpus-rss-child.ts', import.meta.url));
const WORDS = ['corpus', 'stream', 'vector', 'Привет', 'мир', '数据', 'embedding', 'shard', 'token', 'naïve', 'lexical', 'retrieval', 'chunk'];
const FLAGS = ['--chunk-tokens', '256', '--chunk-overlap', '32', '--max-length', '512', '--colbert'];

const { values } = parseArgs({
  options: {
    weights: { type: 'string' },
    tokens: { type: 'string', default: '10000,100000' },
    contexts: { type: 'string', default: 'none,document' },
    'no-write': { type: 'boolean', default: false },
  },
});
const sizes = values.tokens!.split(',').map(Number);

/** A document of about `tokens` tokens (<s> and </s> included) of random words, and its exact count. */
function documentOf(tokenizer: BgeTokenizer, tokens: number): { text: string; tokens: number } {
  const random = seededRandom(SEED + tokens);
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const sample = words(2000);
  const perWord = (tokenizer.encode(sample, Number.MAX_SAFE_INTEGER).ids.length - 2) / 2000;
  const text = words(Math.round((tokens - 2) / perWord));
  return { text, tokens: tokenizer.encode(text, Number.MAX_SAFE_INTEGER).ids.length };
}

/** Peak RSS, and the largest V8 heap left after a full (mark-compact) collection: what the job held, not its garbage. */
async function peakRss(input: string, out: string, weights: string, extra: string[]): Promise<{ peak: number; live: number; seconds: number }> {
  const args = ['--input', input, '--output', out, '--weights', weights, '--restart', ...FLAGS, ...extra];
  const child = spawn(process.execPath, ['--trace-gc', '--import', 'tsx', RSS_CHILD, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const t = performance.now();
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`the corpus job exited ${code}`);
  const live = Math.max(0, ...[...stdout.matchAll(/Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) /g)].map((m) => Number(m[1])));
  return { peak: Number(/PEAK_RSS (\d+)/.exec(stdout)![1]), live: live * 2 ** 20, seconds: (performance.now() - t) / 1000 };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const weights = values.weights ? path.resolve(values.weights) : (await ensureTestModels()).dirs.official;
  const tokenizer = await BgeTokenizer.fromFile(path.join(weights, 'tokenizer.json'));
  const dir = path.join(BENCH_CACHE, 'corpus-long-document');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = sizes.map((n) => {
    const doc = documentOf(tokenizer, n);
    const file = path.join(dir, `doc-${n}.jsonl`);
    writeFileSync(file, JSON.stringify({ id: `doc-${n}`, text: doc.text }) + '\n');
    return { file, tokens: doc.tokens };
  });
  const lines = [
    '| --chunk-context | document | peak RSS | vs the smallest | largest heap after a full GC | vs the smallest | wall |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const context of values.contexts!.split(',')) {
    let base: { peak: number; live: number } | undefined;
    for (const doc of docs) {
      const r = await peakRss(doc.file, path.join(dir, 'out'), weights, ['--chunk-context', context]);
      base ??= r;
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      const row = `| ${context} | ${doc.tokens} tokens | ${mib(r.peak)} | ${(r.peak / base.peak).toFixed(2)}× | ${mib(r.live)} | ${(r.live / base.live).toFixed(2)}× | ${r.seconds.toFixed(1)} s |`;
      console.log(row);
      lines.push(row);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const m = describeMachine();
  const report = [
    `\`npx tsx bench/corpus-long-document.ts${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, load average before ${loadBefore}, after ${loadAverage()}.`,
    '',
    `One document per run, \`cli.ts embed ${FLAGS.join(' ')}\` on ${path.relative(REPO_ROOT, weights) || weights}; peak RSS of the whole process (model worker included), and the largest V8 heap \`--trace-gc\` reports after a mark-compact.`,
    '',
    ...lines,
  ].join('\n');
  console.log('\n' + report);
  // A run on other weights (the full-size model, say) has a section of its own beside the test model's.
  if (!values['no-write']) replaceSection(values.weights ? 'corpus-long-document-weights' : 'corpus-long-document', report);
}

await main();
