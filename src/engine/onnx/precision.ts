// Which model file the backbone session opens for a precision: the export
// itself for fp32, its cached int8 rewrite (int8-model-cache.ts) for int8.
// The int8 cache goes beside the model, or under BGE_M3_INT8_CACHE when set;
// where the model's folder cannot be written (a read-only weights mount),
// under the system's temporary folder instead.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { cpuFeatures, readCpuFeatures } from './cpu-features.ts';
import { ensureInt8Model, type Int8Model } from './int8-model-cache.ts';
import { checkInt8Kernel, runWorstCase, type KernelCheck, type KernelRun } from './int8-self-test.ts';
import { chooseInt8Weights, weightOptions, type Int8WeightChoice, type Int8WeightsSetting } from './int8-weights.ts';
import { DEFAULT_QUANTIZE, type QuantizeOptions } from './quantize-matmuls.ts';
import { setting, SETTINGS } from '../../settings.ts';

export const PRECISIONS = SETTINGS.BGE_M3_PRECISION.values;
export type Precision = (typeof PRECISIONS)[number];

export function parsePrecision(value: string | undefined, source: string): Precision | undefined {
  if (value === undefined || value === '') return undefined;
  if ((PRECISIONS as readonly string[]).includes(value)) return value as Precision;
  throw new Error(`${source} must be one of ${PRECISIONS.join(', ')}, got "${value}".`);
}

export interface PrecisionSettings {
  precision?: Precision;
  /** 8-bit or 7-bit int8 weights; 'auto' (the default) decides by the CPU's flags. */
  int8Weights?: Int8WeightsSetting;
  /** The CPU flags to decide by, instead of /proc/cpuinfo's (tests); null: unknown. */
  cpuFlags?: string[] | null;
  quantize?: Partial<QuantizeOptions>;
  int8CacheRoot?: string;
}

export interface LoadedPrecision {
  modelPath: string;
  description: string;
  /** For int8: which weights, and why. */
  int8Weights?: Int8WeightChoice;
}

export async function loadPrecision(modelPath: string, s: PrecisionSettings, kernel: KernelRun = runWorstCase): Promise<LoadedPrecision> {
  if ((s.precision ?? 'fp32') === 'fp32') return { modelPath, description: 'fp32' };
  const cpu = s.cpuFlags === undefined ? readCpuFeatures() : cpuFeatures(s.cpuFlags);
  const choice = chooseInt8Weights(s.int8Weights ?? 'auto', cpu);
  const opts: QuantizeOptions = { ...DEFAULT_QUANTIZE, ...weightOptions(choice), ...s.quantize };
  const check = await checkInt8Kernel(opts, kernel);
  if (!check.ok) throw new Error(refusal(choice, s.int8Weights ?? 'auto', check));
  const started = performance.now();
  const envRoot = setting('BGE_M3_INT8_CACHE');
  const root = s.int8CacheRoot ?? (envRoot ? rootUnder(envRoot, modelPath) : undefined);
  const int8 = await ensureInt8Model(modelPath, opts, root, choice).catch((err: NodeJS.ErrnoException) => {
    if (root || !['EACCES', 'EROFS', 'EPERM'].includes(err.code ?? '')) throw err;
    return ensureInt8Model(modelPath, opts, rootUnder(path.join(os.tmpdir(), 'bge-m3-int8'), modelPath), choice);
  });
  return { modelPath: int8.modelPath, description: describe(int8, opts, choice, performance.now() - started), int8Weights: choice };
}

function refusal(choice: Int8WeightChoice, setting: Int8WeightsSetting, check: KernelCheck): string {
  const what = `onnxruntime's int8 kernel on this CPU gave ${check.got} instead of ${check.expected} for the worst-case product with ${choice.bits}-bit weights (${choice.reason}): it saturates, so int8 would serve wrong numbers.`;
  if (setting === '8bit') return `BGE_M3_INT8_WEIGHTS=8bit is refused: ${what} Unset BGE_M3_INT8_WEIGHTS (auto) or set it to 7bit.`;
  if (choice.bits === 8) return `int8 is refused: ${what} Set BGE_M3_INT8_WEIGHTS=7bit, or run fp32.`;
  return `int8 is refused: ${what} Run fp32 (unset BGE_M3_PRECISION).`;
}

/** One folder per model file under a shared root. */
function rootUnder(root: string, modelPath: string): string {
  const key = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 16);
  return path.join(root, key);
}

function describe(m: Int8Model, opts: QuantizeOptions, choice: Int8WeightChoice, ms: number): string {
  const weights = `${opts.weightType} ${opts.reduceRange ? 7 : 8}-bit ${opts.perChannel ? 'per-channel' : 'per-tensor'}`;
  const how = m.reused ? 'cached' : `quantized now in ${(ms / 1000).toFixed(1)} s`;
  return `int8 (${m.result.quantized} weight MatMuls dynamically quantized, ${weights} weights, ${how}: ${m.modelPath}; ${choice.bits}-bit by ${choice.reason}; kernel self-test passed)`;
}
