// Ways for tests to put the model worker thread in states a test cannot
// otherwise wait for. Only with BGE_M3_TEST_HOOKS=1 in the environment (never
// set in production); without it the worker opens no channel. A test posts on
// the BroadcastChannel below, and the worker acknowledges:
// - { exitOnNextRun: code } → { armed: true }; the worker calls
//   process.exit(code) when its next batch arrives, so that batch is in flight
//   when the thread dies (as a native crash would).
// - { holdNextRun: SharedArrayBuffer } → { holdArmed: true }; when its next
//   batch arrives the worker says { holding: true } and blocks its thread (as a
//   long forward pass does: no message is handled) until the test resumes it.
import { BroadcastChannel } from 'node:worker_threads';
import { setting, type Env } from '../../settings.ts';

export const TEST_HOOK_CHANNEL = 'bge-m3-worker-test-hooks';

export function testHooksEnabled(env?: Env): boolean {
  return setting('BGE_M3_TEST_HOOKS', env);
}

/** Worker side: what a test asked of the next batch. */
export interface WorkerTestHooks {
  /** The exit code to die with before the next batch, if a test asked for one. */
  exitCode(): number | undefined;
  /** Blocks the thread until the test resumes it, if a test asked for a hold (once per request). */
  holdIfAsked(): void;
}

export function armTestHooks(): WorkerTestHooks {
  if (!testHooksEnabled()) return { exitCode: () => undefined, holdIfAsked: () => {} };
  let code: number | undefined;
  let hold: Int32Array | undefined;
  const channel = new BroadcastChannel(TEST_HOOK_CHANNEL);
  (channel as unknown as { unref(): void }).unref();
  channel.onmessage = (event) => {
    const data = (event as { data: unknown }).data as { exitOnNextRun?: number; holdNextRun?: SharedArrayBuffer };
    if (typeof data?.exitOnNextRun === 'number') {
      code = data.exitOnNextRun;
      channel.postMessage({ armed: true });
    }
    if (data?.holdNextRun instanceof SharedArrayBuffer) {
      hold = new Int32Array(data.holdNextRun);
      channel.postMessage({ holdArmed: true });
    }
  };
  return {
    exitCode: () => code,
    holdIfAsked() {
      const flag = hold;
      hold = undefined;
      if (!flag) return;
      channel.postMessage({ holding: true });
      Atomics.wait(flag, 0, 0);
    },
  };
}

/** Test side: arms every live model worker of this process; resolves once one has acknowledged. */
export async function killModelWorkerOnNextRun(code = 3): Promise<void> {
  const channel = new BroadcastChannel(TEST_HOOK_CHANNEL);
  try {
    await new Promise<void>((resolve) => {
      channel.onmessage = (event) => {
        if (((event as { data: unknown }).data as { armed?: boolean })?.armed) resolve();
      };
      channel.postMessage({ exitOnNextRun: code });
    });
  } finally {
    channel.close();
  }
}

export interface HeldRun {
  /** Resolves once a worker holds a batch: that batch is in flight and its thread handles no message. */
  holding: Promise<void>;
  /** Lets the held batch run (and any other armed worker's next batch pass straight through). */
  resume(): void;
}

/** Test side: arms every live model worker of this process to hold its next batch; resolves once one has acknowledged. */
export async function holdModelWorkerOnNextRun(): Promise<HeldRun> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const channel = new BroadcastChannel(TEST_HOOK_CHANNEL);
  let armed!: () => void;
  let held!: () => void;
  const armedOnce = new Promise<void>((resolve) => (armed = resolve));
  const holding = new Promise<void>((resolve) => (held = resolve)).finally(() => channel.close());
  channel.onmessage = (event) => {
    const data = (event as { data: unknown }).data as { holdArmed?: boolean; holding?: boolean };
    if (data?.holdArmed) armed();
    if (data?.holding) held();
  };
  channel.postMessage({ holdNextRun: flag.buffer });
  await armedOnce;
  return {
    holding,
    resume() {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    },
  };
}
