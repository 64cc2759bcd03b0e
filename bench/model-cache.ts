// The full-size generated BGE-M3 the benchmark runs on, in the git-ignored
// .cache: generated once (about 15 s, 2.3 GB) and reused while complete; plus
// the same files arranged the way transformers.js reads a local model.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BGE_M3_FULL } from '../tools/fixtures/test-model/config.ts';
import { LAYOUTS } from '../tools/fixtures/test-model/layouts.ts';
import { TOKENIZER_FIXTURE } from '../tools/fixtures/test-model/tokenizer-fixture.ts';
import { tensorSpecs } from '../tools/fixtures/test-model/weights.ts';
import { writeModels } from '../tools/fixtures/test-model/write-models.ts';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BENCH_CACHE = path.join(REPO_ROOT, '.cache', 'bench');
const FULL_ROOT = path.join(REPO_ROOT, '.cache', 'generated-models', 'full');
const OFFICIAL = LAYOUTS.official;
const MODEL_FILES = [
  OFFICIAL.modelPath,
  path.join(path.dirname(OFFICIAL.modelPath), OFFICIAL.dataFile),
  'sparse_linear.pt',
  'colbert_linear.pt',
  'tokenizer.json',
  'config.json',
];

/** Bytes of the backbone's external data file, as the generator writes it (tensors of 1 KiB and more). */
function expectedDataBytes(): number {
  return tensorSpecs(BGE_M3_FULL)
    .filter((s) => !s.head)
    .map((s) => s.dims.reduce((a, b) => a * b, 4))
    .filter((bytes) => bytes >= 1024)
    .reduce((a, b) => a + b, 0);
}

function isComplete(dir: string): boolean {
  if (!MODEL_FILES.every((f) => existsSync(path.join(dir, f)))) return false;
  return statSync(path.join(dir, MODEL_FILES[1])).size === expectedDataBytes();
}

/** The official-layout full model directory, generated if missing or incomplete. */
export function ensureFullModel(log: (line: string) => void): string {
  const dir = path.join(FULL_ROOT, 'official');
  if (isComplete(dir)) return dir;
  log(`Generating the full-size model into ${dir} (about 2.3 GB, 15-60 s)`);
  const temp = `${FULL_ROOT}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  writeModels(temp, BGE_M3_FULL, { layouts: ['official'], tokenizerPath: TOKENIZER_FIXTURE });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(FULL_ROOT, { recursive: true });
  renameSync(path.join(temp, 'official'), dir);
  rmSync(temp, { recursive: true, force: true });
  return dir;
}

/**
 * The same model files as transformers.js expects them (`<dir>/onnx/model.onnx`,
 * config.json, tokenizer.json, tokenizer_config.json), linked, not copied. Its
 * feature-extraction pipeline reads `token_embeddings` when there is no
 * `last_hidden_state`, so the official graph serves it unchanged.
 */
export function ensureTransformersJsDir(modelDir: string): string {
  const dir = path.join(BENCH_CACHE, 'transformers-js', 'bge-m3-full');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  // Everything in onnx/: the real export keeps some external data (Constant_7_attr__value) there too.
  const onnxFiles = readdirSync(path.join(modelDir, 'onnx')).map((f) => path.join('onnx', f));
  for (const f of [...new Set([...MODEL_FILES, ...onnxFiles])]) symlinkSync(path.join(modelDir, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
  return dir;
}

/** What BAAI/bge-m3's tokenizer_config.json says that matters here: the class and the 8192-token limit. */
const TOKENIZER_CONFIG = {
  tokenizer_class: 'XLMRobertaTokenizer',
  model_max_length: 8192,
  bos_token: '<s>',
  eos_token: '</s>',
  cls_token: '<s>',
  sep_token: '</s>',
  pad_token: '<pad>',
  unk_token: '<unk>',
  mask_token: '<mask>',
};

/** Bytes of the weights on disk: the ONNX data and both heads. */
export function weightBytes(modelDir: string): number {
  return MODEL_FILES.slice(0, 4).reduce((sum, f) => sum + statSync(path.join(modelDir, f)).size, 0);
}
