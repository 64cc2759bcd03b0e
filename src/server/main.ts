// The server process. Run directly (`tsx src/server/main.ts`) or through
// serveUntilShutdown() (cli.ts serve / demo). Settings come from the
// environment (PORT, HOST, COG_MAX_CONCURRENCY, COG_LOG_LEVEL, BGE_M3_*...:
// the table in src/settings.ts) and cog.yaml's concurrency.max. SIGTERM, SIGINT and
// POST /shutdown shut down gracefully; a second signal exits at once, except
// the duplicate that npm relays (signals.ts).
// API_KEYS / API_KEYS_FILE turn on API keys; SIGHUP re-reads the key file.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServerConfig } from './config.ts';
import { SignalPolicy, underNpm } from './ops/signals.ts';
import { startServer, type ServerOptions } from './start.ts';

/** Starts the server and resolves with exit code 0 once a graceful shutdown has completed. */
export async function serveUntilShutdown(opts: ServerOptions = {}): Promise<number> {
  const cogYaml = existsSync('cog.yaml') ? readFileSync('cog.yaml', 'utf8') : undefined;
  const server = await startServer({
    ...opts,
    config: { ...readServerConfig(undefined, cogYaml), ...opts.config },
  });
  const policy = new SignalPolicy(underNpm());
  const onSignal = (signal: NodeJS.Signals) => {
    const verdict = policy.receive(signal);
    if (verdict === 'exit-now') {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    if (verdict === 'duplicate') process.stderr.write(`${signal} relayed by npm: still shutting down gracefully (send it again to exit at once)\n`);
    if (verdict === 'shutdown') void server.close(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await server.done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return 0;
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  serveUntilShutdown().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`The server could not start: ${err.message}\n`);
      process.exit(1);
    },
  );
}
