// A way for tests to make the model worker thread die, as a native crash
// would: with BGE_M3_TEST_HOOKS=1 in the environment (never set in
// production), a test posts { exitOnNextRun: code } on the BroadcastChannel
// below; the worker acknowledges with { armed: true } and calls
// process.exit(code) when its next batch arrives, so that batch is in flight
// when the thread dies. Without the variable the worker opens no channel.
import { BroadcastChannel } from 'node:worker_threads';
import { setting, type Env } from '../../settings.ts';

export const TEST_HOOK_CHANNEL = 'bge-m3-worker-test-hooks';

export function testHooksEnabled(env?: Env): boolean {
  return setting('BGE_M3_TEST_HOOKS', env);
}

/** Worker side: returns a function giving the exit code to die with before the next batch, if a test asked for one. */
export function armTestExitHook(): () => number | undefined {
  if (!testHooksEnabled()) return () => undefined;
  let code: number | undefined;
  const channel = new BroadcastChannel(TEST_HOOK_CHANNEL);
  (channel as unknown as { unref(): void }).unref();
  channel.onmessage = (event) => {
    const data = (event as { data: unknown }).data as { exitOnNextRun?: number };
    if (typeof data?.exitOnNextRun !== 'number') return;
    code = data.exitOnNextRun;
    channel.postMessage({ armed: true });
  };
  return () => code;
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
