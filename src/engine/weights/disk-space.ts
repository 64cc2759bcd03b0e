// Free-space check before a large download, so a full disk is reported up front
// with the numbers instead of as ENOSPC two gigabytes in.
import { statfs } from 'node:fs/promises';
import { WeightsError, formatBytes } from './errors.ts';

export type StatFs = (dir: string) => Promise<{ bavail: number; bsize: number }>;

export const defaultStatFs: StatFs = (dir) => statfs(dir);

/** Headroom kept free beyond the bytes still to download. */
export const DISK_HEADROOM_BYTES = 64 * 1024 * 1024;

export async function assertFreeSpace(dir: string, needBytes: number, statFs: StatFs = defaultStatFs): Promise<void> {
  if (needBytes <= 0) return;
  let free: number;
  try {
    const s = await statFs(dir);
    free = s.bavail * s.bsize;
  } catch {
    return; // statfs unsupported here: rely on ENOSPC handling while writing
  }
  const want = needBytes + DISK_HEADROOM_BYTES;
  if (free < want) {
    throw new WeightsError(
      'disk-space',
      `Not enough free disk space in ${dir}: the BGE-M3 weights need ${formatBytes(needBytes)} more (plus ${formatBytes(DISK_HEADROOM_BYTES)} headroom) but only ${formatBytes(free)} is free. Free some space, or download to another disk with \`npm run weights -- --dir /path/with/space\` and set BGE_M3_WEIGHTS=/path/with/space.`,
    );
  }
}

export function isNoSpaceError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function noSpaceWhileWriting(dir: string, file: string, cause: unknown): WeightsError {
  return new WeightsError(
    'disk-space',
    `The disk filled up while writing ${file} into ${dir}. The partial download is kept as ${file}.part: free some space and run \`npm run weights\` again to resume, or download elsewhere with \`npm run weights -- --dir /path/with/space\`.`,
    { file, cause },
  );
}
