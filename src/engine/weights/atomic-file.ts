// Files that appear whole or not at all: written under a temporary name,
// fsynced, renamed, and the directory fsynced so the rename survives a crash.
// Used by the corpus job's parts and manifests and the int8 cache's manifest.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: Uint8Array): void {
  const out = new AtomicFile(file);
  try {
    out.write(data);
  } catch (err) {
    out.discard();
    throw err;
  }
  out.commit();
}

/** A file written piece by piece under its temporary name, appearing whole at commit(). */
export class AtomicFile {
  /** Temporary names start with "." and end with ".tmp-<pid>": never mistaken for a corpus part. */
  readonly temp: string;
  private fd?: number;
  bytes = 0;

  constructor(readonly file: string) {
    this.temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
    this.fd = openSync(this.temp, 'w');
  }

  write(data: Uint8Array): void {
    writeAll(this.open(), data);
    this.bytes += data.byteLength;
  }

  /** fsynced, renamed to its name, and the directory fsynced. */
  commit(): void {
    const fd = this.open();
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.temp, this.file);
    fsyncDir(path.dirname(this.file));
  }

  /** Closes and removes the temporary file (after a failure). */
  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.temp, { force: true });
  }

  private open(): number {
    if (this.fd === undefined) throw new Error(`${this.file} was already committed or discarded`);
    return this.fd;
  }
}

/** writeSync until every byte is written (one call may write fewer). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
