// Docker cannot run here, so the Dockerfile is checked by reading it: every
// file it copies exists, every stage it copies from is defined, its labels
// match their sources, and the runtime stage has tini, a non-root user, port
// 5000 and a health check.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { copyPaths, dockerStages, execForm, labelPairs, parseDockerfile, type Stage } from '../../tools/docker/dockerfile.ts';
import { isIgnored, readDockerignore } from '../../tools/docker/dockerignore.ts';
import { computeLabels, loadLabelSources, LABEL_KEYS } from '../../tools/docker/labels.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const all = parseDockerfile(text);

const stages = () => dockerStages(all);

const runtime = () => stages().at(-1)!;
const one = (stage: Stage, keyword: string) => {
  const found = stage.body.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `the runtime stage needs exactly one ${keyword}`);
  return found[0];
};

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in every stage', () => {
    const arg = all.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    assert.equal(arg?.args, 'NODE_IMAGE=node:20-bookworm-slim');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own ${NODE_IMAGE} reference, not a template
    for (const s of stages()) assert.ok(s.image === '${NODE_IMAGE}' || s.image === 'node:20-bookworm-slim', s.image);
  });

  it('copies only files that exist in the repo and are not excluded from the build context', () => {
    const patterns = readDockerignore(ROOT);
    const missing: string[] = [];
    for (const s of stages()) {
      for (const ins of s.body.filter((i) => i.keyword === 'COPY' && !i.flags.from)) {
        for (const src of copyPaths(ins.args).sources) {
          const abs = path.join(ROOT, src);
          if (!existsSync(abs)) missing.push(`${src} (line ${ins.line}) does not exist`);
          else if (statSync(abs).isDirectory() && !hasFiles(abs)) missing.push(`${src}/ (line ${ins.line}) is empty`);
          if (isIgnored(src, patterns)) missing.push(`${src} (line ${ins.line}) is excluded by .dockerignore`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('copies --from stages defined above it', () => {
    const seen = new Set<string>();
    for (const s of stages()) {
      for (const ins of s.body.filter((i) => i.keyword === 'COPY' && i.flags.from))
        assert.ok(seen.has(ins.flags.from), `line ${ins.line}: no earlier stage named ${ins.flags.from}`);
      if (s.name) seen.add(s.name);
    }
  });

  it('runs only npm scripts that package.json defines, and the weights downloader that exists', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    for (const r of runs) for (const m of r.matchAll(/npm run ([\w:-]+)/g)) assert.ok(m[1] in scripts, `npm run ${m[1]} is not in package.json`);
    const weightsRun = runs.find((r) => r.includes('--dir /weights'));
    const script = weightsRun?.match(/node --import tsx (\S+\.ts)/)?.[1];
    assert.ok(script && existsSync(path.join(ROOT, script)), `the weights step runs ${script}`);
    assert.match(weightsRun!, /SKIP_WEIGHTS/);
    assert.ok(
      runs.some((r) => /ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev/.test(r)),
      'npm ci installs production dependencies without the CUDA download',
    );
    assert.match(readFileSync(path.join(ROOT, '.npmrc'), 'utf8'), /^ignore-scripts=true$/m);
  });

  it('carries the three run.cog labels, as valid JSON equal to what cog.yaml and schema.json give', async () => {
    const labels: Record<string, string> = {};
    for (const ins of runtime().body.filter((i) => i.keyword === 'LABEL')) Object.assign(labels, labelPairs(ins.args));
    assert.deepEqual(Object.keys(labels).sort(), [...LABEL_KEYS].sort());
    const expected = computeLabels(await loadLabelSources(ROOT));
    const stale = `is out of date: run \`node --import tsx tools/docker/sync-labels.ts\``;
    assert.equal(labels['run.cog.version'], expected['run.cog.version'], `run.cog.version ${stale}`);
    for (const key of ['run.cog.config', 'run.cog.openapi_schema'] as const) {
      assert.doesNotThrow(() => JSON.parse(labels[key]), `${key} is not JSON`);
      assert.ok(isDeepStrictEqual(JSON.parse(labels[key]), JSON.parse(expected[key])), `${key} ${stale}`);
    }
    const config = JSON.parse(labels['run.cog.config']) as { predict: string };
    assert.equal(config.predict, 'predict.ts:Predictor');
    const openapi = JSON.parse(labels['run.cog.openapi_schema']) as { openapi: string; components: { schemas: Record<string, unknown> } };
    assert.equal(openapi.openapi, '3.0.2');
    assert.ok(openapi.components.schemas.Input && openapi.components.schemas.Output);
  });

  it('runs the server under tini as PID 1', () => {
    const s = runtime();
    assert.deepEqual(execForm(one(s, 'ENTRYPOINT').args), ['/usr/bin/tini', '--']);
    assert.ok(
      s.body.some((i) => i.keyword === 'RUN' && /apt-get install[^&]*\btini\b/.test(i.args)),
      'tini is installed with apt-get',
    );
    assert.deepEqual(execForm(one(s, 'CMD').args), ['node', '--import', 'tsx', 'cli.ts', 'serve']);
  });

  it('runs as a non-root user', () => {
    const user = one(runtime(), 'USER').args.trim();
    assert.ok(!['root', '0', '0:0'].includes(user), `USER ${user}`);
    const userAt = runtime().body.findIndex((i) => i.keyword === 'USER');
    const cmdAt = runtime().body.findIndex((i) => i.keyword === 'CMD');
    assert.ok(userAt < cmdAt);
  });

  it('exposes port 5000 and checks /health-check with a script shipped in the image', () => {
    const s = runtime();
    assert.equal(one(s, 'EXPOSE').args.trim(), '5000');
    assert.ok(s.body.some((i) => i.keyword === 'ENV' && /\bPORT=5000\b/.test(i.args)));
    const hc = one(s, 'HEALTHCHECK');
    const cmd = execForm(hc.args.replace(/^CMD\s+/, ''));
    assert.ok(cmd && cmd[0] === 'node', `HEALTHCHECK ${hc.args}`);
    const script = cmd[1];
    assert.ok(existsSync(path.join(ROOT, script)), `${script} exists`);
    assert.ok(
      s.body.some((i) => i.keyword === 'COPY' && !i.flags.from && copyPaths(i.args).sources.includes(script)),
      `${script} is copied into the image`,
    );
    assert.match(readFileSync(path.join(ROOT, script), 'utf8'), /\/health-check/);
    assert.ok(hc.flags['start-period'], 'a start period covers model loading');
  });

  it('keeps node_modules, weights, caches and git history out of the build context', () => {
    const patterns = readDockerignore(ROOT);
    for (const p of ['node_modules', 'weights', '.cache', '.git', 'weights/onnx/model.onnx_data', 'node_modules/tsx/package.json'])
      assert.ok(isIgnored(p, patterns), p);
    for (const p of ['tests/engine', 'tools/fixtures/tokenizer', 'tests/fixtures/reference']) assert.ok(isIgnored(p, patterns), p);
    for (const p of ['tests/fixtures/tokenizer/tokenizer.json', 'tools/fixtures/test-model/cached-models.ts'])
      assert.ok(!isIgnored(p, patterns), `${p} is in the build context for the demo`);
  });
});

function hasFiles(dir: string): boolean {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile());
}
