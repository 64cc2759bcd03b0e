// Which model file the backbone session opens for a precision: the export
// itself for fp32, its cached int8 rewrite (int8-model-cache.ts) for int8.
// The int8 cache goes beside the model, or under BGE_M3_INT8_CACHE when set;
// where the model's folder cannot be written (a read-only weights mount),
// under the system's temporary folder instead.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ensureInt8Model, type Int8Model } from './int8-model-cache.ts';
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
  quantize?: Partial<QuantizeOptions>;
  int8CacheRoot?: string;
}

export async function loadPrecision(modelPath: string, s: PrecisionSettings): Promise<{ modelPath: string; description: string }> {
  if ((s.precision ?? 'fp32') === 'fp32') return { modelPath, description: 'fp32' };
  const opts: QuantizeOptions = { ...DEFAULT_QUANTIZE, ...s.quantize };
  const started = performance.now();
  const envRoot = setting('BGE_M3_INT8_CACHE');
  const root = s.int8CacheRoot ?? (envRoot ? rootUnder(envRoot, modelPath) : undefined);
  const int8 = await ensureInt8Model(modelPath, opts, root).catch((err: NodeJS.ErrnoException) => {
    if (root || !['EACCES', 'EROFS', 'EPERM'].includes(err.code ?? '')) throw err;
    return ensureInt8Model(modelPath, opts, rootUnder(path.join(os.tmpdir(), 'bge-m3-int8'), modelPath));
  });
  return { modelPath: int8.modelPath, description: describe(int8, opts, performance.now() - started) };
}

/** One folder per model file under a shared root. */
function rootUnder(root: string, modelPath: string): string {
  const key = createHash('sha256').update(path.resolve(modelPath)).digest('hex').slice(0, 16);
  return path.join(root, key);
}

function describe(m: Int8Model, opts: QuantizeOptions, ms: number): string {
  const weights = `${opts.weightType}${opts.reduceRange ? ' 7-bit' : ''} ${opts.perChannel ? 'per-channel' : 'per-tensor'}`;
  const how = m.reused ? 'cached' : `quantized now in ${(ms / 1000).toFixed(1)} s`;
  return `int8 (${m.result.quantized} weight MatMuls dynamically quantized, ${weights} weights, ${how}: ${m.modelPath})`;
}
