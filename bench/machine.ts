// The machine and software a benchmark ran on, for BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCpuFeatures } from '../src/engine/onnx/cpu-features.ts';
import { chooseInt8Weights } from '../src/engine/onnx/int8-weights.ts';
import { REPO_ROOT } from './model-cache.ts';
import { GIB } from './stats.ts';

export interface Machine {
  cpu: string;
  /** The CPU's int8 dot-product flags (VNNI, AMX), and the int8 weights auto picks for them. */
  int8: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntime: string;
  transformersJs: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    int8: describeInt8(),
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / GIB,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    onnxruntime: packageVersion('onnxruntime-node'),
    transformersJs: packageVersion('@huggingface/transformers'),
  };
}

function describeInt8(): string {
  const cpu = readCpuFeatures();
  const flags = cpu.flags === null ? 'flags unknown' : cpu.vnni.length ? cpu.vnni.join(', ') : 'no VNNI or AMX';
  const choice = chooseInt8Weights('auto', cpu);
  return `${flags}; int8 weights ${choice.bits}-bit (${choice.reason})`;
}

/** 1, 5 and 15 minute load averages, as uptime prints them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}
