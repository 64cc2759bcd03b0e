// The real server as a user runs it: src/server/main.ts in a child process
// on the generated tiny model, bound to 127.0.0.1 on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { eventually, waitForHealth } from './helpers.ts';
import { officialWeights } from './real-model.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the server wrote so far. */
  output(): string;
  /** SIGTERM, then waits for the exit; SIGKILL if it has not exited after 20 s. */
  stop(): Promise<void>;
}

/** `command`: what node runs, by default the server itself; cli.ts serve for the CLI's way in. */
export async function startServerProcess(env: Record<string, string> = {}, command = ['src/server/main.ts']): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BGE_M3_WEIGHTS: await officialWeights(), COG_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await eventually(
      'the listening line',
      () => {
        if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${out}`);
        return /listening on (http:\/\/\S+)/.exec(out)?.[1];
      },
      60_000,
    );
    await waitForHealth(url, ['READY']);
    return { url, port: Number(new URL(url).port), child, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
