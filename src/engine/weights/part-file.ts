// The partial download beside its final path: `<file>.part` holds the bytes so
// far, `<file>.part.json` records which content they belong to (its expected
// hash), so a part left over from another revision is not resumed by mistake.
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';

export interface PartWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens the part file for writing: append to resume, else truncate. */
export type OpenPart = (path: string, append: boolean) => Promise<PartWriter>;

export const openPartFile: OpenPart = async (path, append) => {
  const fh = await open(path, append ? 'a' : 'w');
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    },
    async close() {
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
  };
};

export function partPath(target: string): string {
  return `${target}.part`;
}

function metaPath(target: string): string {
  return `${target}.part.json`;
}

export async function partSize(target: string): Promise<number> {
  const s = await stat(partPath(target)).catch(() => null);
  return s?.isFile() ? s.size : 0;
}

/** The hash the existing part was downloaded against, if recorded. */
export async function readPartIdentity(target: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(metaPath(target), 'utf8')) as { identity?: unknown };
    return typeof meta.identity === 'string' ? meta.identity : undefined;
  } catch {
    return undefined;
  }
}

export async function writePartIdentity(target: string, identity: string | undefined): Promise<void> {
  await writeFile(metaPath(target), JSON.stringify({ identity: identity ?? null }) + '\n');
}

export async function discardPart(target: string): Promise<void> {
  await rm(partPath(target), { force: true });
  await rm(metaPath(target), { force: true });
}

export async function removePartMeta(target: string): Promise<void> {
  await rm(metaPath(target), { force: true });
}
