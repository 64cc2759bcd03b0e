// chunk_tokens (issue #19), two measurements:
//  1. speed: a document of ~100,000 tokens sent once with chunk_tokens (512-token chunks with
//     <s> and </s>) against the same chunks' texts sent as separate texts, alternating in one
//     process on one Predictor; the ratio of tokens/s (target >= 0.95).
//  2. memory: planning the chunks of a 10 MB document in a child process (no model), its peak
//     RSS against a child that only builds the text and loads the tokenizers, and against one
//     that holds every token id at once (BgeTokenizer.encode on the whole text; TokenSpans on the
//     whole text, which would hold every offset too, overflows the stack past about 1 MB).
//   npx tsx bench/chunking.ts [--weights DIR] [--tokens 100000] [--rounds 3] [--mb 10]
// Without --weights it runs the generated tiny test model (its tokenizer is the test fixture's),
// where the forward pass is cheap and planning's share is the largest it can be.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Predictor } from '../predict.ts';
import { planChunks } from '../src/api/chunking/plan.ts';
import { BgeTokenizer } from '../src/engine/tokenizer/bge-tokenizer.ts';
import { TokenSpans } from '../src/engine/tokenizer/token-spans.ts';
import { findModelFiles } from '../src/engine/weights/model-files.ts';
import { SCRIPT_SAMPLES } from '../tools/fixtures/tokenizer/corpus-sentences.ts';
import { ensureTestModels } from '../tools/fixtures/test-model/cached-models.ts';
import { describeMachine, loadAverage } from './machine.ts';

const SELF = fileURLToPath(import.meta.url);

/** Sentences of every script with spaces, in a fixed shuffled order, up to `chars` characters. */
function documentOf(chars: number): string {
  const sentences = SCRIPT_SAMPLES.filter((s) => s.joiner === ' ').flatMap((s) => s.sentences);
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const s = sentences[(i * 7919) % sentences.length];
    parts.push(s);
    length += s.length + 1;
  }
  return parts
    .map((p, i) => p + (i % 5 === 4 ? '\n' : ' '))
    .join('')
    .slice(0, chars);
}

async function memoryChild(mode: string, mb: number, tokenizerPath: string): Promise<void> {
  const text = documentOf(mb * 1_000_000);
  const tokenizer = await BgeTokenizer.fromFile(tokenizerPath);
  const spans = await TokenSpans.fromFile(tokenizerPath);
  let detail = '';
  if (mode === 'plan') {
    let chunks = 0;
    let tokens = 0;
    for (const c of planChunks(text, { chunkTokens: 510, chunkOverlap: 0 }, { tokenizer, spans })) {
      chunks++;
      tokens = c.tokenEnd;
    }
    detail = `${chunks} chunks, ${tokens} tokens`;
  } else if (mode === 'ids') {
    detail = `${tokenizer.encode(text, 1e9).ids.length} ids held at once`;
  }
  console.log(JSON.stringify({ mode, maxRssMb: process.resourceUsage().maxRSS / 1024, units: text.length, detail }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      weights: { type: 'string' },
      tokens: { type: 'string', default: '100000' },
      rounds: { type: 'string', default: '3' },
      mb: { type: 'string', default: '10' },
      'memory-child': { type: 'string' },
      tokenizer: { type: 'string' },
    },
  });
  if (values['memory-child']) return memoryChild(values['memory-child'], Number(values.mb), values.tokenizer!);
  const dir = values.weights ?? (await ensureTestModels()).dirs.official;
  const files = await findModelFiles(dir);
  const machine = describeMachine();
  console.log(`CPU: ${machine.cpu}; flags: ${machine.int8}; load average before: ${loadAverage()}; weights: ${values.weights ?? 'generated test model'}`);

  // 1. speed
  const predictor = new Predictor();
  await predictor.setup({ weights: dir, log: () => {} });
  const tokenizer = await BgeTokenizer.fromFile(files.tokenizer);
  const target = Number(values.tokens);
  const sample = documentOf(100_000);
  const perChar = tokenizer.encode(sample, 1e9).ids.length / sample.length;
  const text = documentOf(Math.round(target / perChar));
  const base = { return_dense: true, return_sparse: true, max_length: 512 };
  const chunked = { ...base, texts: [text], chunk_tokens: 510 };
  const first = await predictor.predict(chunked);
  const chunkTexts = first.chunks!.map((c) => [...text].slice(c.start, c.end).join(''));
  const tokens = first.token_counts[0];
  console.log(
    `document: ${text.length} characters, ${tokens} tokens, ${chunkTexts.length} chunks (${first.chunks!.filter((c) => c.cut === 'token').length} cut between tokens)`,
  );
  const ratios: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    let t = performance.now();
    await predictor.predict(chunked);
    const chunkedMs = performance.now() - t;
    t = performance.now();
    await predictor.predict({ ...base, texts: chunkTexts });
    const separateMs = performance.now() - t;
    ratios.push(separateMs / chunkedMs);
    console.log(
      `round ${round + 1}: chunked ${(chunkedMs / 1000).toFixed(2)} s (${((tokens / chunkedMs) * 1000).toFixed(0)} tokens/s), separate texts ${(separateMs / 1000).toFixed(2)} s; tokens/s ratio ${(separateMs / chunkedMs).toFixed(3)}`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(`median tokens/s ratio, chunked / separate texts: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)}`);
  console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await predictor.close();

  // 2. memory, each in its own process
  for (const mode of ['baseline', 'plan', 'ids']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, '--memory-child', mode, '--mb', values.mb!, '--tokenizer', files.tokenizer], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    console.log(out.trim());
  }
}

await main();
