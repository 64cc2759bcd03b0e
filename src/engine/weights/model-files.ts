// Finds the files of a BGE-M3 weights directory, whatever public export it
// holds: the official BAAI/bge-m3 repo (onnx/model.onnx + heads at the root),
// exports with the heads in the graph (model.onnx, bge_m3_model.onnx), or a
// backbone-only export (onnx/model.onnx) beside the .pt heads.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ID } from './manifest.ts';

export interface ModelFiles {
  dir: string;
  model: string;
  tokenizer: string;
  sparseHead?: string;
  colbertHead?: string;
  /** Every file seen, relative to dir, for error messages. */
  seen: string[];
}

const MODEL_PREFERENCE = ['onnx/model.onnx', 'model.onnx', 'bge_m3_model.onnx'];
const NOT_A_MODEL = /tokenizer|quantized|int8|fp16|_O\d/i;

export async function findModelFiles(dir: string): Promise<ModelFiles> {
  const abs = path.resolve(dir);
  const seen = await listFiles(abs);
  if (seen.length === 0) throw new Error(emptyDirMessage(abs));
  const model = chooseModel(abs, seen);
  const pick = (name: string) => pickNearest(seen, name, path.dirname(path.relative(abs, model)));
  const tokenizer = pick('tokenizer.json');
  if (!tokenizer) {
    throw new Error(
      `No tokenizer.json in ${abs} (found: ${seen.join(', ')}). BGE-M3's tokenizer.json comes with the model repo: run \`npm run weights\`, or copy ${REPO_ID}'s tokenizer.json into ${abs}.`,
    );
  }
  const sparseHead = pick('sparse_linear.pt');
  const colbertHead = pick('colbert_linear.pt');
  const resolve = (p?: string) => (p ? path.join(abs, p) : undefined);
  return { dir: abs, model, tokenizer: resolve(tokenizer)!, sparseHead: resolve(sparseHead), colbertHead: resolve(colbertHead), seen };
}

function chooseModel(abs: string, seen: string[]): string {
  const onnx = seen.filter((f) => f.endsWith('.onnx'));
  const preferred = MODEL_PREFERENCE.find((p) => onnx.includes(p));
  if (preferred) return path.join(abs, preferred);
  const candidates = onnx.filter((f) => !NOT_A_MODEL.test(path.basename(f)));
  if (candidates.length === 1) return path.join(abs, candidates[0]);
  if (candidates.length === 0) {
    throw new Error(
      `No ONNX model in ${abs} (found: ${seen.join(', ') || 'nothing'}). Expected ${REPO_ID}'s onnx/model.onnx (with model.onnx_data) or another BGE-M3 ONNX export: run \`npm run weights\` to download it, or set BGE_M3_WEIGHTS to a directory that holds one.`,
    );
  }
  throw new Error(`Several ONNX models in ${abs}: ${candidates.join(', ')}. Keep one of them (or name it model.onnx) so it is clear which to load.`);
}

/** The file named `name` closest to the model's folder: same folder, then the root, then anywhere. */
function pickNearest(seen: string[], name: string, modelDir: string): string | undefined {
  const matches = seen.filter((f) => path.basename(f) === name);
  const inDir = (d: string) => matches.find((f) => path.dirname(f) === d);
  return inDir(modelDir) ?? inDir('.') ?? matches[0];
}

async function listFiles(root: string, rel = '', depth = 0): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch (err) {
    if (depth > 0) return [];
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(emptyDirMessage(root));
    throw new Error(`Cannot read the weights directory ${root}: ${(err as Error).message}`);
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && depth < 2 && !e.name.startsWith('.')) out.push(...(await listFiles(root, p, depth + 1)));
    else if (e.isFile() || (e.isSymbolicLink() && (await stat(path.join(root, p)).catch(() => null))?.isFile())) out.push(p);
  }
  return out;
}

function emptyDirMessage(dir: string): string {
  return `The weights directory ${dir} is missing or empty. Run \`npm run weights\` to download ${REPO_ID} into ./weights, set BGE_M3_WEIGHTS (or COG_WEIGHTS) to a directory that already holds the model, or run \`npm run demo\` to try the server on a small random-weight model.`;
}
