// Files that appear whole or not at all: written under a temporary name,
// fsynced, renamed, and the directory fsynced so the rename survives a crash.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Temporary names start with "." and end with ".tmp-<pid>": never mistaken for a part. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
}

export function writeFileAtomic(file: string, data: Uint8Array, onTempWritten?: (temp: string) => void): void {
  const temp = tempNameFor(file);
  const fd = openSync(temp, 'w');
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  onTempWritten?.(temp);
  renameSync(temp, file);
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
