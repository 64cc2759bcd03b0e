// The int8 variants the fidelity study compares (bench/int8-fidelity.ts);
// each spells out its weight format, so the names stay true whatever the default.
import type { QuantizeOptions } from '../src/engine/onnx/quantize-matmuls.ts';

export const VARIANTS: Record<string, Partial<QuantizeOptions>> = {
  'all u8 per-channel': { weightType: 'uint8', reduceRange: false },
  'all u8 per-tensor': { weightType: 'uint8', reduceRange: false, perChannel: false },
  'all s8 per-channel 7-bit (auto without VNNI)': { weightType: 'int8', reduceRange: true },
  'all s8 per-channel 8-bit (auto with VNNI)': { weightType: 'int8', reduceRange: false },
  'ffn u8 per-channel': { weightType: 'uint8', reduceRange: false, scope: 'ffn' },
};
