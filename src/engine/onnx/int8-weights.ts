// Which int8 weights the rewrite stores, chosen by what the CPU can do:
// 8-bit (±127) where the CPU has VNNI or AMX, whose int8 kernel adds in 32
// bits; 7-bit (±63, onnxruntime's reduce_range) elsewhere, since the u8×s8
// kernel there adds pairs of products in 16 bits and 255·127·2 overflows it,
// while 255·63·2 = 32130 does not. 8-bit weights halve the rounding error.
import { VNNI_FLAGS, type CpuFeatures } from './cpu-features.ts';
import type { QuantizeOptions } from './quantize-matmuls.ts';

export const INT8_WEIGHT_SETTINGS = ['auto', '8bit', '7bit'] as const;
export type Int8WeightsSetting = (typeof INT8_WEIGHT_SETTINGS)[number];

export interface Int8WeightChoice {
  bits: 7 | 8;
  /** Why, in words for the setup log, /info and the cache manifest. */
  reason: string;
}

export function chooseInt8Weights(setting: Int8WeightsSetting, cpu: CpuFeatures): Int8WeightChoice {
  if (setting === '7bit') return { bits: 7, reason: 'BGE_M3_INT8_WEIGHTS=7bit' };
  if (setting === '8bit') {
    const why = cpu.vnni.length ? `; the CPU has ${cpu.vnni.join(', ')}` : '; the CPU has no VNNI, so the setup self-test decides';
    return { bits: 8, reason: `BGE_M3_INT8_WEIGHTS=8bit${why}` };
  }
  if (cpu.vnni.length) return { bits: 8, reason: `auto: the CPU has ${cpu.vnni.join(', ')}, whose int8 products add in 32 bits` };
  if (cpu.flags === null) return { bits: 7, reason: 'auto: the CPU flags could not be read (not Linux), and 7-bit weights are safe on every CPU' };
  return {
    bits: 7,
    reason: `auto: the CPU has none of ${VNNI_FLAGS.join(', ')}, so its int8 kernel adds pairs of products in 16 bits, which 8-bit weights can overflow`,
  };
}

/** The rewrite's weight options for a choice. */
export function weightOptions(choice: Int8WeightChoice): Pick<QuantizeOptions, 'weightType' | 'reduceRange'> {
  return { weightType: 'int8', reduceRange: choice.bits === 7 };
}
