// A stall timer the test fires by hand, once the connection is known to have
// stopped sending: stall tests then do not depend on how fast bytes arrive.
import type { DownloadProgress } from '../../../src/engine/weights/progress.ts';
import type { StallTimer } from '../../../src/engine/weights/stall-guard.ts';

export interface HandStallTimer {
  timer: StallTimer;
  /** Guards waiting now (one per connection in progress). */
  readonly pending: number;
  /** Fires every waiting guard, as if its time had run out. */
  fire(): void;
}

export function handStallTimer(): HandStallTimer {
  const pending = new Set<() => void>();
  return {
    timer: (fire) => {
      pending.add(fire);
      return () => pending.delete(fire);
    },
    get pending() {
      return pending.size;
    },
    fire() {
      for (const fire of [...pending]) fire();
    },
  };
}

/** An onProgress that resolves `reached` once `file` has `bytes` bytes downloaded. */
export function progressReaching(file: string, bytes: number): { onProgress: (p: DownloadProgress) => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return { onProgress: (p) => p.file === file && p.phase === 'download' && p.fileBytes >= bytes && resolve(), reached };
}
