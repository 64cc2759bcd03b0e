// API_KEYS_FILE rotation without a restart: an atomic rename over the file,
// Kubernetes' swap of the `..data` symlink, SIGHUP, and the edge cases (file
// gone: keep the keys; file empty: no key passes). Each step waits for the
// server's own log line saying the keys were reloaded; nothing sleeps.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunningServer } from '../../../src/server/start.ts';
import { FakePredictor } from '../../helpers/server/fake-predictor.ts';
import { call, eventually, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';

interface Served {
  s: RunningServer;
  logs: string[];
  /** Resolves with the next log line matching `re` logged after this call. */
  nextLog(re: RegExp): Promise<string>;
  status(key: string | null): Promise<number>;
}

async function serveWithFile(t: { after: (fn: () => unknown) => void }, file: string, settleMs?: number, apiKeys: string[] = []): Promise<Served> {
  const logs: string[] = [];
  const s = await startTestServer({
    predictor: new FakePredictor({ predictMs: 1 }),
    log: (l) => logs.push(l),
    config: { apiKeys, apiKeysFile: file, logLevel: 'info' },
    auth: { backoff: { freeFailures: 1000 }, settleMs },
  });
  t.after(() => s.close());
  await waitForHealth(s.url, ['READY']);
  return {
    s,
    logs,
    nextLog(re) {
      const from = logs.length;
      return eventually(`a log line matching ${re}`, () => logs.slice(from).find((l) => re.test(l)));
    },
    async status(key) {
      return (await call(s.url, 'GET', '/v1/predictions', undefined, key ? { authorization: `Bearer ${key}` } : {})).status;
    },
  };
}

function tempDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bge-m3-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a new file next to `file` and renames it over `file`, as atomic writers do. */
function replaceAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

test('a key file replaced by rename takes effect without a restart', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'api-keys');
  writeFileSync(file, '# keys\nold-key-1111\n\nkeep-key-2222\n');
  const srv = await serveWithFile(t, file);
  assert.match(srv.logs.join('\n'), /API keys on: 2 keys/);
  assert.deepEqual([await srv.status('old-key-1111'), await srv.status('keep-key-2222'), await srv.status('new-key-3333')], [200, 200, 401]);

  let reloaded = srv.nextLog(/API keys reloaded \(api-keys changed\): 2 keys/);
  replaceAtomically(file, 'keep-key-2222\nnew-key-3333\n');
  await reloaded;
  assert.deepEqual([await srv.status('old-key-1111'), await srv.status('keep-key-2222'), await srv.status('new-key-3333')], [401, 200, 200]);

  reloaded = srv.nextLog(/API keys reloaded \(api-keys changed\): 0 keys: no valid key, so every protected request gets 401/);
  replaceAtomically(file, '# all revoked\n');
  await reloaded;
  assert.deepEqual([await srv.status('keep-key-2222'), await srv.status('new-key-3333')], [401, 401]);
  assert.ok(!srv.logs.join('\n').match(/old-key|keep-key|new-key/), 'no key in the log');
});

test('Kubernetes-style secret: the ..data symlink swapped to a new folder', async (t) => {
  const dir = tempDir(t);
  const version = (name: string, keys: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'keys'), keys);
  };
  version('..2026_01', 'k8s-key-one\n');
  symlinkSync('..2026_01', join(dir, '..data'));
  symlinkSync('..data/keys', join(dir, 'keys'));
  const srv = await serveWithFile(t, join(dir, 'keys'));
  assert.deepEqual([await srv.status('k8s-key-one'), await srv.status('k8s-key-two')], [200, 401]);

  const reloaded = srv.nextLog(/API keys reloaded \(keys changed\): 1 key /);
  version('..2026_02', 'k8s-key-two\n');
  symlinkSync('..2026_02', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..2026_01'), { recursive: true });
  await reloaded;
  assert.deepEqual([await srv.status('k8s-key-one'), await srv.status('k8s-key-two')], [401, 200]);
});

test('SIGHUP reloads the file; a missing file keeps the keys in use; API_KEYS stay', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'keys.txt');
  writeFileSync(file, 'hup-key-before\n');
  // Change events wait an hour here, so only SIGHUP can reload within the test.
  const srv = await serveWithFile(t, file, 3_600_000, ['env-key-fixed']);
  writeFileSync(file, 'hup-key-after\n');
  assert.equal(await srv.status('hup-key-before'), 200, 'not reloaded before the signal');

  let reloaded = srv.nextLog(/API keys reloaded \(SIGHUP\): 2 keys/);
  process.kill(process.pid, 'SIGHUP');
  await reloaded;
  assert.deepEqual([await srv.status('hup-key-before'), await srv.status('hup-key-after'), await srv.status('env-key-fixed')], [401, 200, 200]);

  reloaded = srv.nextLog(/API keys reloaded \(SIGHUP\), unchanged: 2 keys/);
  process.kill(process.pid, 'SIGHUP');
  await reloaded;

  unlinkSync(file);
  const kept = srv.nextLog(/API keys: SIGHUP, but .*keys\.txt could not be read \(ENOENT\); keeping the 2 keys in use/);
  process.kill(process.pid, 'SIGHUP');
  await kept;
  assert.equal(await srv.status('hup-key-after'), 200);
});

test('a key file that cannot be read at start stops the server from starting', async () => {
  await assert.rejects(
    startTestServer({ predictor: new FakePredictor(), config: { apiKeysFile: join(tmpdir(), 'no-such-dir-bge-m3', 'keys') } }),
    /API_KEYS_FILE=\S+no-such-dir-bge-m3\/keys could not be read \(ENOENT\)/,
  );
});
