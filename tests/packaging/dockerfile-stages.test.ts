// Each Dockerfile stage started from exactly the files it copies: a file the
// build leaves out fails here (ERR_MODULE_NOT_FOUND, a missing fixture) and
// not only in a real build. Every node entry point a stage runs is started
// with --help, from the stage's working directory, in a temp folder holding
// only that stage's files (tests/helpers/docker-stages.ts); the image's last
// stage also starts the demo, answers a prediction and passes its HEALTHCHECK.
// `npm run test:image` builds and runs the real image.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { layOutStages, type EntryPoint, type StageFiles } from '../helpers/docker-stages.ts';
import { call, eventually, waitForHealth } from '../helpers/server/helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = mkdtempSync(path.join(tmpdir(), 'dockerfile-stages-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const stages = layOutStages(ROOT, temp);
const byName = (name: string) => stages.find((s) => s.name === name)!;

/** The environment a stage's process sees: the stage's ENV, a PATH to this node, and a home. */
function stageEnv(stage: StageFiles, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: path.join(stage.root, 'home'), ...stage.env, ...extra };
}

function run(stage: StageFiles, e: EntryPoint, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...e.nodeArgs, e.script, ...args], { cwd: e.cwd, env: stageEnv(stage, env) }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

describe('Dockerfile stages, each from its own files', () => {
  it('has the stages the image is built from', () => {
    assert.deepEqual(
      stages.map((s) => s.name),
      ['deps', 'weights', 'runtime'],
    );
  });

  for (const stage of stages) {
    for (const e of stage.entries.filter((x) => x.from !== 'HEALTHCHECK')) {
      it(`${stage.name}: ${e.from} (line ${e.line}) node ${e.script} starts: --help`, async () => {
        const { code, output } = await run(stage, e, ['--help']);
        assert.doesNotMatch(output, /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/, `the ${stage.name} stage lacks a file ${e.script} needs:\n${output}`);
        assert.equal(code, 0, output);
        assert.match(output, /Usage/);
      });
    }
  }

  it('the weights stage runs its downloader', () => {
    const e = byName('weights').entries.find((x) => x.from === 'RUN');
    assert.ok(e, 'the weights stage runs a node script');
    assert.deepEqual(e.args, ['--dir', '/weights']);
  });

  it('runtime: the demo starts from the image files alone, predicts, and passes the HEALTHCHECK', { timeout: 120_000 }, async () => {
    const stage = byName('runtime');
    const cmd = stage.entries.find((x) => x.from === 'CMD');
    const health = stage.entries.find((x) => x.from === 'HEALTHCHECK');
    assert.ok(cmd && health, 'the runtime stage has a node CMD and a node HEALTHCHECK');
    const child = spawn(process.execPath, [...cmd.nodeArgs, cmd.script, 'demo', '--port', '0'], {
      cwd: cmd.cwd,
      env: stageEnv(stage, { HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    try {
      const url = await eventually(
        "the demo's listening line",
        () => {
          if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}):\n${out}`);
          return /listening on (http:\/\/\S+)/.exec(out)?.[1];
        },
        100_000,
      );
      await waitForHealth(url, ['READY'], 100_000);
      const r = await call(url, 'POST', '/predictions', { input: { texts: ['hello'] } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'succeeded');
      assert.equal(r.body.output.dense_vecs.length, 1);
      const check = await run(stage, health, health.args, { PORT: new URL(url).port });
      assert.equal(check.code, 0, check.output);
      assert.match(check.output, /status READY/);
      assert.match(out, /DEMO MODE/);
      assert.ok(existsSync(path.join(stage.workdir, '.cache', 'test-models')), "the demo's model is generated in the image's writable .cache");
    } finally {
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
      child.kill('SIGTERM');
      await exited;
    }
  });
});
