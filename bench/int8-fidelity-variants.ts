// The int8 variants the fidelity study compares (bench/int8-fidelity.ts);
// each overrides DEFAULT_QUANTIZE (uint8 per-channel weights, every weight MatMul).
import type { QuantizeOptions } from '../src/engine/onnx/quantize-matmuls.ts';

export const VARIANTS: Record<string, Partial<QuantizeOptions>> = {
  'all u8 per-channel': {},
  'all u8 per-tensor': { perChannel: false },
  'all s8 per-channel': { weightType: 'int8' },
  'all s8 per-channel 7-bit': { weightType: 'int8', reduceRange: true },
  'ffn u8 per-channel': { scope: 'ffn' },
};
