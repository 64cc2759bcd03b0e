// The int8 model (quantize-matmuls.ts) as files, built once and reused: a
// directory `.bge-m3-int8/<model name>/` beside the model (or under the given
// root) holds model.onnx, its external data, and manifest.json, which names
// the format version, the quantization options and each source file's size,
// mtime and SHA-256, and which int8 weights were chosen and why. Other
// options (8-bit instead of 7-bit weights, say) rebuild it: a cache made for
// one choice is never served for the other.
//
// Reuse check: size and mtime of every source must match the manifest (cheap);
// when only an mtime differs (a copy, a touch), the file is hashed and the
// cache reused if the hash still matches. Hashes are computed while building,
// so a 2.3 GB source is hashed once, not at every start. Building writes into
// a temporary directory and renames it into place, so a crash or a concurrent
// start never leaves a half-written model behind.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { writeFileAtomic, writeAll } from '../weights/atomic-file.ts';
import { hashFile } from '../weights/hashing.ts';
import type { Int8WeightChoice } from './int8-weights.ts';
import { DEFAULT_QUANTIZE, quantizeMatMuls, type QuantizeOptions, type QuantizeResult } from './quantize-matmuls.ts';
import { externalRef } from './tensor-bytes.ts';

const { onnx } = onnxProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** Bump when the bytes written for the same sources and options change. */
export const INT8_FORMAT_VERSION = 1;
const MODEL_FILE = 'model.onnx';
const DATA_FILE = 'model.onnx_data';
const MANIFEST = 'manifest.json';
/** Initializers of this many bytes or more go to the external data file. */
const EXTERNAL_THRESHOLD = 1024;
/** External data offsets are page-aligned, so onnxruntime may map them instead of copying. */
const ALIGN = 4096;

interface SourceFile {
  name: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}
interface Manifest {
  format: number;
  options: QuantizeOptions;
  int8Weights?: Int8WeightChoice;
  sources: SourceFile[];
  result: QuantizeResult;
}

export interface Int8Model {
  /** The quantized model file to open. */
  modelPath: string;
  /** Whether an existing cache was used (false: built now). */
  reused: boolean;
  result: QuantizeResult;
}

export function int8CacheDir(modelPath: string, root?: string): string {
  const name = path.basename(modelPath, '.onnx');
  return path.join(root ?? path.join(path.dirname(modelPath), '.bge-m3-int8'), name);
}

/** The cached int8 model for `modelPath`, built (or rebuilt) when missing or stale. */
export async function ensureInt8Model(
  modelPath: string,
  opts: QuantizeOptions = DEFAULT_QUANTIZE,
  root?: string,
  choice?: Int8WeightChoice,
): Promise<Int8Model> {
  const dir = int8CacheDir(modelPath, root);
  const sources = sourceFiles(modelPath);
  const manifest = readManifest(dir);
  if (manifest && (await stillValid(manifest, sources, opts, dir))) {
    return { modelPath: path.join(dir, MODEL_FILE), reused: true, result: manifest.result };
  }
  const built = await build(modelPath, sources, opts, dir, choice);
  return { modelPath: path.join(dir, MODEL_FILE), reused: false, result: built.result };
}

/** The model file and every external data file its initializers name. */
function sourceFiles(modelPath: string): string[] {
  const model = onnx.ModelProto.decode(readFileSync(modelPath));
  const files = new Set<string>([path.resolve(modelPath)]);
  for (const t of model.graph?.initializer ?? []) {
    const ref = externalRef(t, path.dirname(modelPath));
    if (ref) files.add(ref.file);
  }
  return [...files];
}

function readManifest(dir: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    return existsSync(path.join(dir, MODEL_FILE)) ? m : null;
  } catch {
    return null;
  }
}

async function stillValid(m: Manifest, sources: string[], opts: QuantizeOptions, dir: string): Promise<boolean> {
  if (m.format !== INT8_FORMAT_VERSION || JSON.stringify(m.options) !== JSON.stringify(opts)) return false;
  if (m.sources.length !== sources.length) return false;
  let touched = false;
  for (const [i, file] of sources.entries()) {
    const recorded = m.sources[i];
    const st = statSync(file);
    if (recorded.name !== path.basename(file) || recorded.size !== st.size) return false;
    if (recorded.mtimeMs === st.mtimeMs) continue;
    if ((await sha256(file)) !== recorded.sha256) return false;
    recorded.mtimeMs = st.mtimeMs;
    touched = true;
  }
  if (touched) writeFileAtomic(path.join(dir, MANIFEST), Buffer.from(JSON.stringify(m, null, 1)));
  return true;
}

async function build(modelPath: string, sources: string[], opts: QuantizeOptions, dir: string, int8Weights?: Int8WeightChoice): Promise<Manifest> {
  const described: SourceFile[] = [];
  for (const file of sources) {
    const st = statSync(file);
    described.push({ name: path.basename(file), size: st.size, mtimeMs: st.mtimeMs, sha256: await sha256(file) });
  }
  const model = onnx.ModelProto.decode(readFileSync(modelPath));
  const result = quantizeMatMuls(model, path.dirname(modelPath), opts);
  const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(temp, { recursive: true });
  try {
    writeExternal(model.graph!.initializer ?? [], path.dirname(modelPath), path.join(temp, DATA_FILE));
    writeFileSync(path.join(temp, MODEL_FILE), onnx.ModelProto.encode(model).finish());
    const manifest: Manifest = { format: INT8_FORMAT_VERSION, options: opts, int8Weights, sources: described, result };
    writeFileSync(path.join(temp, MANIFEST), JSON.stringify(manifest, null, 1));
    replaceDir(temp, dir);
    return manifest;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Moves every large initializer (inline or in the source's external files) into one new data file. */
function writeExternal(initializers: Tensor[], sourceDir: string, dataPath: string): void {
  const fd = openSync(dataPath, 'w');
  let offset = 0;
  try {
    for (const t of initializers) {
      const ref = externalRef(t, sourceDir);
      const length = ref ? ref.length : (t.rawData?.byteLength ?? 0);
      if (length < EXTERNAL_THRESHOLD) continue;
      const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
      if (pad) writeAll(fd, new Uint8Array(pad));
      offset += pad;
      if (ref) copyRange(ref.file, ref.offset, ref.length, fd);
      else writeAll(fd, t.rawData!);
      t.rawData = new Uint8Array(0);
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [
        { key: 'location', value: DATA_FILE },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(length) },
      ];
      offset += length;
    }
  } finally {
    closeSync(fd);
  }
}

function copyRange(file: string, offset: number, length: number, out: number): void {
  const fd = openSync(file, 'r');
  const chunk = new Uint8Array(16 << 20);
  try {
    for (let done = 0; done < length; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, length - done), offset + done);
      if (n === 0) throw new Error(`${file} ends before byte ${offset + length}`);
      writeAll(out, chunk.subarray(0, n));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Puts `temp` at `dir`, replacing an older cache; a concurrent builder that got there first wins. */
function replaceDir(temp: string, dir: string): void {
  mkdirSync(path.dirname(dir), { recursive: true });
  const old = `${dir}.old-${process.pid}-${Math.random().toString(36).slice(2)}`;
  if (existsSync(dir)) {
    try {
      renameSync(dir, old);
    } catch {
      // Someone else moved it first.
    }
  }
  try {
    renameSync(temp, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

const sha256 = async (file: string): Promise<string> => (await hashFile(file)).sha256;
