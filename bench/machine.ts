// The machine and software a benchmark ran on, for BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './model-cache.ts';
import { GIB } from './stats.ts';

export interface Machine {
  cpu: string;
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
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / GIB,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    onnxruntime: packageVersion('onnxruntime-node'),
    transformersJs: packageVersion('@huggingface/transformers'),
  };
}

/** 1, 5 and 15 minute load averages, as uptime prints them. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}
