// cog.yaml: read with the project's small YAML parser (checked against PyYAML
// where the system Python has it), and consistent with the code it describes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_CONCURRENCY } from '../../src/server/config.ts';
import { PINNED_FILES, PINNED_REVISION } from '../../src/engine/weights/manifest.ts';
import { parseDockerfile } from '../../tools/docker/dockerfile.ts';
import { parseYamlSubset } from '../../tools/docker/mini-yaml.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cogYamlText = readFileSync(path.join(ROOT, 'cog.yaml'), 'utf8');

interface CogYaml {
  build: { gpu: boolean; system_packages: string[] };
  predict: string;
  concurrency: { max: number };
  weights: { name: string; source: { uri: string; include: string[] }; target: string }[];
}
const cog = parseYamlSubset(cogYamlText) as unknown as CogYaml;

function pyyaml(text: string): unknown | undefined {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], {
      input: text,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    return JSON.parse(out.toString());
  } catch {
    return undefined;
  }
}

const hasPyYaml = pyyaml('a: 1') !== undefined;

describe('the YAML subset parser', () => {
  it('reads cog.yaml exactly as PyYAML does', { skip: !hasPyYaml && 'no PyYAML in /usr/bin/python3' }, () => {
    assert.deepEqual(parseYamlSubset(cogYamlText), pyyaml(cogYamlText));
  });

  it('agrees with PyYAML on quoting, comments, nesting and scalar types', { skip: !hasPyYaml && 'no PyYAML in /usr/bin/python3' }, () => {
    const doc = [
      '# leading comment',
      'a: plain text # trailing comment',
      "b: 'it''s # not a comment'",
      'c: "tab\\tand \\"quotes\\""',
      'd:',
      '  - 1',
      '  - -2.5',
      '  - true',
      '  - null',
      '  - ~',
      'e:',
      '- x: 1',
      '  y:',
      '    z: "3"',
      '- w: []',
      'f: {}',
      'g:',
      'h: "hf://BAAI/bge-m3@abc"',
      'i: 0.5e+3',
      '"quoted key": yes-ish',
    ].join('\n');
    assert.deepEqual(parseYamlSubset(doc), pyyaml(doc));
  });

  it('refuses what it does not understand, naming the line', () => {
    assert.throws(() => parseYamlSubset('a: 1\nb: [1, 2]\n'), /line 2: unsupported YAML syntax/);
    assert.throws(() => parseYamlSubset('a: &anchor 1\n'), /line 1: unsupported/);
    assert.throws(() => parseYamlSubset('a: 1\na: 2\n'), /line 2: duplicate key "a"/);
    assert.throws(() => parseYamlSubset('a:\n    b: 1\n  c: 2\n'), /line 3: unexpected indentation/);
    assert.throws(() => parseYamlSubset('gpu: yes\n'), /line 1: "yes" means different things in YAML 1\.1 and 1\.2; quote it/);
    assert.throws(() => parseYamlSubset('n: 1e3\n'), /line 1: "1e3" means different things/);
  });
});

describe('cog.yaml', () => {
  it('points predict at the Predictor class of predict.ts', () => {
    assert.equal(cog.predict, 'predict.ts:Predictor');
    assert.match(readFileSync(path.join(ROOT, 'predict.ts'), 'utf8'), /^export class Predictor\b/m);
  });

  it('builds for CPU, with the packages the Dockerfile installs', () => {
    assert.equal(cog.build.gpu, false);
    const apt = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))
      .filter((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))
      .flatMap((i) =>
        i.args
          .match(/apt-get install ((?:-\S+\s+)*)([^&]+)/)![2]
          .trim()
          .split(/\s+/),
      );
    assert.deepEqual(cog.build.system_packages.slice().sort(), apt.sort());
  });

  it('allows as many concurrent predictions as the server defaults to', () => {
    assert.equal(cog.concurrency.max, 32);
    assert.equal(cog.concurrency.max, DEFAULT_MAX_CONCURRENCY);
  });

  it('names the pinned revision and exactly the files the downloader fetches', () => {
    assert.equal(cog.weights.length, 1);
    const [w] = cog.weights;
    assert.equal(w.source.uri, `hf://BAAI/bge-m3@${PINNED_REVISION}`);
    assert.deepEqual(
      w.source.include,
      PINNED_FILES.map((f) => `/${f.path}`),
    );
    assert.equal(w.target, '/src/weights');
  });
});
