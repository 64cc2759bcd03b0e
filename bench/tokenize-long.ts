// Long-text tokenization benchmark (issue 9 §1), not a test:
//   node --import tsx bench/tokenize-long.ts [--server-only]
// 1. Tokenizing 10 MB texts at max_length 512 and 8192: the chunked tokenizer against the
//    whole-text path it replaced (normalize and split the whole text, one Viterbi lattice per
//    whole word), each baseline run in a child process with a 4 GB heap and a time cap.
// 2. A real server (tiny generated model, tokenizer fixture) in its own process, predicting on
//    10 MB texts while this process polls /health-check: latency p50/p99/max, peak RSS.
// Uses the generated fixture tokenizer (the real tokenizer.json is not in the repository).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLibraryNormalizer, createUnigramModel } from '../src/engine/tokenizer/hf-tokenizers-js.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { PrecompiledCharsmap } from '../src/engine/tokenizer/precompiled-charsmap.ts';
import { ensureTestModels } from '../tools/fixtures/test-model/cached-models.ts';

const TOKENIZER_JSON = fileURLToPath(new URL('../tests/fixtures/tokenizer/tokenizer.json', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const TEN_MB = 10_000_000;
const BASELINE_CAP_S = 60;

const repeatTo = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const TEXTS: Record<string, () => string> = {
  sentences: () => repeatTo('Dense retrieval maps every passage to one vector; sparse retrieval keeps lexical weights. ', TEN_MB),
  'one CJK word': () => repeatTo('自然语言处理是人工智能的一个重要方向', TEN_MB),
  'one unknown word (x…x)': () => 'x'.repeat(TEN_MB),
};

/** Main's algorithm before the chunked tokenizer: everything over the whole text, then truncate. */
function wholeTextEncode(text: string, maxLength: number): number {
  const json = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8'));
  const [precompiled, collapse] = json.normalizer.normalizers;
  const charsmap = PrecompiledCharsmap.fromBase64(precompiled.precompiled_charsmap);
  const replace = createLibraryNormalizer(collapse);
  const model = createUnigramModel({ type: 'Unigram', unk_id: json.model.unk_id, vocab: json.model.vocab });
  const lattice = model as unknown as { tokenize(word: string): string[] };
  // The per-cluster path is exactly main's normalizer (no single-code-point cache).
  const normalized = replace.normalize((charsmap as unknown as { normalizeClusters(t: string): string }).normalizeClusters(text));
  const words = ('▁' + normalized.replaceAll(' ', '▁')).split(/(?=▁)/);
  let ids = 0;
  for (const word of words) {
    ids += lattice.tokenize(word).length;
    if (ids > maxLength - 2) break;
  }
  return ids;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The baseline in a child: its time, or why it did not finish. */
function baseline(name: string, maxLength: number): { ms?: number; note: string } {
  const child = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', SELF, '--baseline', name, String(maxLength)], {
    encoding: 'utf8',
    timeout: BASELINE_CAP_S * 1000,
  });
  const ms = Number(/BASELINE_MS (\d+)/.exec(child.stdout)?.[1]);
  if (Number.isFinite(ms)) return { ms, note: `${(ms / 1000).toFixed(2)} s` };
  if (child.signal === 'SIGTERM') return { note: `> ${BASELINE_CAP_S} s (stopped)` };
  return { note: /heap out of memory/i.test(child.stderr) ? 'crashed: heap out of memory' : `failed (${child.status ?? child.signal})` };
}

async function tokenizerTable(): Promise<void> {
  const tokenizer = await BgeTokenizer.fromFile(TOKENIZER_JSON);
  console.log('| text (10,000,000 chars) | max_length | chunked (median of 3) | whole-text path | ratio |');
  console.log('|---|---|---|---|---|');
  for (const [name, make] of Object.entries(TEXTS)) {
    const text = make();
    for (const maxLength of [512, 8192]) {
      const times = [0, 1, 2].map(() => {
        const start = performance.now();
        tokenizer.encode(text, maxLength);
        return performance.now() - start;
      });
      const ours = median(times);
      const old = baseline(name, maxLength);
      const ratio =
        old.ms === undefined
          ? old.note.startsWith('>')
            ? `> ${Math.floor((BASELINE_CAP_S * 1000) / ours)}x`
            : '∞ (no result)'
          : `${(old.ms / ours).toFixed(0)}x`;
      console.log(`| ${name} | ${maxLength} | ${ours.toFixed(1)} ms | ${old.note} | ${ratio} |`);
    }
  }
}

async function startServer(weights: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./http-server.ts', import.meta.url)), weights], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // 10 million CJK characters are 30 MB of JSON.
    env: { ...process.env, BGE_M3_MAX_BODY_MB: '64' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, pid: child.pid!, stop };
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function healthTable(): Promise<void> {
  const server = await startServer((await ensureTestModels()).dirs.official);
  while (((await (await fetch(`${server.url}/health-check`)).json()) as { status: string }).status !== 'READY') {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log('\n| prediction (one 10,000,000-char text) | max_length | prediction | /health-check polls | p50 | p99 | max | server peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|');
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  try {
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await (await fetch(`${server.url}/health-check`)).json();
      idle.push(performance.now() - start);
    }
    console.log(
      `| none (idle server, same machine) | | | ${idle.length} | ${fmt(percentile(idle, 50))} | ${fmt(percentile(idle, 99))} | ${fmt(Math.max(...idle))} | ${peakRssMb(server.pid).toFixed(0)} MB |`,
    );
    for (const [name, make] of Object.entries(TEXTS)) {
      const body = JSON.stringify({ input: { texts: [make()], max_length: 8192, return_sparse: false } });
      const started = performance.now();
      let done = false;
      const prediction = fetch(`${server.url}/predictions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => ({ status: r.status, body: (await r.json()) as { output?: { token_counts: number[] }; detail?: unknown } }))
        .finally(() => (done = true));
      const latencies: number[] = [];
      while (!done) {
        const start = performance.now();
        await (await fetch(`${server.url}/health-check`)).json();
        latencies.push(performance.now() - start);
      }
      const result = await prediction;
      if (result.status !== 200) console.error(JSON.stringify(result.body).slice(0, 300));
      const total = ((performance.now() - started) / 1000).toFixed(2);
      console.log(
        `| ${name} | 8192 | ${result.status}, ${result.body.output?.token_counts[0]} tokens, ${total} s | ${latencies.length} | ${fmt(percentile(latencies, 50))} | ${fmt(percentile(latencies, 99))} | ${fmt(Math.max(...latencies))} | ${peakRssMb(server.pid).toFixed(0)} MB |`,
      );
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === '--baseline') {
  const text = TEXTS[process.argv[3]]();
  const start = performance.now();
  wholeTextEncode(text, Number(process.argv[4]));
  console.log(`BASELINE_MS ${Math.round(performance.now() - start)}`);
} else {
  console.log(`node ${process.version}, ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores\n`);
  if (!process.argv.includes('--server-only')) await tokenizerTable();
  await healthTable();
}
