// What the CPU offers for int8 dot products, read once from /proc/cpuinfo.
// onnxruntime's u8×s8 GEMM kernel adds pairs of products in 16 bits
// (VPMADDUBSW) unless the CPU has VNNI (AVX-512 VNNI, AVX-VNNI) or AMX, whose
// instructions accumulate in 32 bits: that decides which int8 weights are safe.
import { readFileSync } from 'node:fs';

/** Linux /proc/cpuinfo flags that give onnxruntime a 32-bit-accumulating int8 kernel. */
export const VNNI_FLAGS = ['avx512_vnni', 'avx_vnni', 'amx_int8'] as const;

export interface CpuFeatures {
  /** The CPU's flags, or null where they cannot be read (not Linux, or no flags line). */
  flags: string[] | null;
  /** The VNNI-class flags present (empty without VNNI; empty too when flags is null). */
  vnni: string[];
}

export function cpuFeatures(flags: readonly string[] | null): CpuFeatures {
  return { flags: flags ? [...flags] : null, vnni: flags ? VNNI_FLAGS.filter((f) => flags.includes(f)) : [] };
}

let cached: CpuFeatures | undefined;

/** This machine's features; read once per process. */
export function readCpuFeatures(): CpuFeatures {
  cached ??= cpuFeatures(cpuinfoFlags());
  return cached;
}

/** The flags of the first processor in /proc/cpuinfo (`flags` on x86, `Features` on Arm). */
export function cpuinfoFlags(text = readCpuinfo()): string[] | null {
  const line = text?.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return line
    ? line
        .slice(line.indexOf(':') + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean)
    : null;
}

function readCpuinfo(): string | null {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}
