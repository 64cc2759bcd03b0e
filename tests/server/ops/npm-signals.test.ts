// `npm run demo` (the README's start command on the demo model) under a group
// signal, as a terminal's Ctrl-C or `kill -TERM -<pgid>` sends it: the server
// gets the signal directly and again through npm's relay, and must still shut
// down gracefully: exit 0 with the terminal webhook of an in-flight prediction
// delivered. No timing: the receiver holds the terminal webhook until the
// signal has been sent, so there is work in flight whatever the machine's speed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, it, test } from 'node:test';
import { SignalPolicy, underNpm } from '../../../src/server/ops/signals.ts';
import { call, eventually, waitForHealth } from '../../helpers/server/helpers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

describe('SignalPolicy', () => {
  it('under npm: shutdown on the first signal, its one relay ignored, the next one exits', () => {
    const p = new SignalPolicy(true);
    assert.equal(p.receive('SIGTERM'), 'shutdown');
    assert.equal(p.receive('SIGTERM'), 'duplicate');
    assert.equal(p.receive('SIGTERM'), 'exit-now');
  });
  it('under npm: a different signal after the first is not a relay', () => {
    const p = new SignalPolicy(true);
    p.receive('SIGTERM');
    assert.equal(p.receive('SIGINT'), 'exit-now');
  });
  it('without npm (node directly, tini, Docker): the second signal exits', () => {
    const p = new SignalPolicy(false);
    assert.equal(p.receive('SIGINT'), 'shutdown');
    assert.equal(p.receive('SIGINT'), 'exit-now');
  });
  it('knows npm by npm_lifecycle_event', () => {
    assert.equal(underNpm({ npm_lifecycle_event: 'start' }), true);
    assert.equal(underNpm({}), false);
  });
});

/** A webhook receiver that answers terminal webhooks only once `release()` is called. */
async function holdingReceiver() {
  const bodies: any[] = [];
  const held: ServerResponse[] = [];
  let released = false;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text);
      bodies.push(body);
      if (TERMINAL.has(body.status) && !released) held.push(res);
      else res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    release() {
      released = true;
      for (const res of held.splice(0)) res.writeHead(200).end('{}');
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`npm run demo: a group ${signal} shuts down gracefully (exit 0, terminal webhook delivered)`, { timeout: 180_000 }, async (t) => {
    const hook = await holdingReceiver();
    t.after(() => hook.close());
    const child = spawn('npm', ['run', 'demo'], {
      cwd: ROOT,
      detached: true, // its own process group, whose leader is npm
      env: {
        ...process.env,
        BGE_M3_READY_FILE: '',
        PORT: '0',
        HOST: '127.0.0.1',
        COG_LOG_LEVEL: 'info',
        BGE_M3_SHUTDOWN_GRACE_SECONDS: '2',
        BGE_M3_WEBHOOK_RETRY_BASE_MS: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const group = child.pid!;
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-group, 'SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = once(child, 'exit');

    const url = await eventually('the listening line', () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 120_000);
    await waitForHealth(url, ['READY'], 120_000);
    const texts = Array.from({ length: 64 }, (_, i) => `text ${i} `.repeat(300));
    const r = await call(
      url,
      'PUT',
      '/predictions/p1',
      { input: { texts }, webhook: hook.url, webhook_events_filter: ['start', 'completed'] },
      { prefer: 'respond-async' },
    );
    assert.equal(r.status, 202, r.text);
    await eventually('the start webhook', () => hook.bodies.find((b) => b.id === 'p1') ?? undefined, 60_000);

    process.kill(-group, signal);
    hook.release();
    const [code, by] = await exited;
    assert.equal(by, null, out);
    assert.equal(code, 0, out);
    const terminal = hook.bodies.filter((b) => b.id === 'p1' && TERMINAL.has(b.status));
    assert.ok(terminal.length >= 1, `a terminal webhook arrived\n${out}`);
    assert.ok(['succeeded', 'canceled'].includes(terminal.at(-1).status), terminal.at(-1).status);
    assert.match(out, new RegExp(`shutting down \\(${signal}\\)`));
    assert.match(out, /shutdown complete/);
    assert.doesNotMatch(out, /exiting without waiting/);
    // npm's relay usually arrives as a second signal (then the server logs "relayed by npm");
    // the kernel may merge it with the direct one when both are pending at once.
    t.diagnostic(new RegExp(`${signal} relayed by npm`).test(out) ? 'the relay arrived separately' : 'the relay merged with the direct signal');
  });
}
