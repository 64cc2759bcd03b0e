// The server under benchmark, in its own process:
//   node --import tsx bench/http-server.ts <weights dir>
// Prints "LISTENING <url>" once it listens; stops gracefully on SIGTERM.
import { startServer } from '../src/server/start.ts';

const weights = process.argv[2];
if (!weights) throw new Error('usage: bench/http-server.ts <weights dir>');
const server = await startServer({ port: 0, host: '127.0.0.1', weights, config: { logLevel: 'warning' } });
process.stdout.write(`LISTENING ${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
