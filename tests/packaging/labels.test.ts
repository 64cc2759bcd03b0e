import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { labelPairs, parseDockerfile } from '../../tools/docker/dockerfile.ts';
import { computeLabels, renderLabel, syncDockerfileLabels, type LabelSources } from '../../tools/docker/labels.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sources: LabelSources = {
  cogYaml: 'build:\n  gpu: false\npredict: "predict.ts:Predictor"\nconcurrency:\n  max: 32\n',
  openapi: { openapi: '3.0.2', info: { description: 'The model\'s "inputs" cost $5 \\ each' } },
  cogVersion: '0.16.12',
};

describe('label sync', () => {
  it('renders a label that reads back, through Docker quoting, to the same JSON', () => {
    const labels = computeLabels(sources);
    const line = renderLabel('run.cog.openapi_schema', labels['run.cog.openapi_schema']);
    const [ins] = parseDockerfile(line);
    const value = labelPairs(ins.args)['run.cog.openapi_schema'];
    assert.deepEqual(JSON.parse(value), sources.openapi);
    assert.ok(!line.slice(line.indexOf("'") + 1, -1).includes("'"), 'no raw quote inside the single-quoted value');
  });

  it('replaces the run.cog.* lines in place, leaves the rest alone, and is idempotent', () => {
    const before = ['FROM x', 'EXPOSE 5000', "LABEL run.cog.version='0'", 'LABEL run.cog.config=stale', 'LABEL other=kept', 'CMD ["a"]'].join('\n');
    const once = syncDockerfileLabels(before, computeLabels(sources));
    assert.equal(syncDockerfileLabels(once, computeLabels(sources)), once);
    const lines = once.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['FROM x', 'EXPOSE 5000']);
    assert.match(lines[2], /^LABEL run\.cog\.version='0\.16\.12'$/);
    assert.match(lines[3], /^LABEL run\.cog\.config='\{"build":\{"gpu":false\}/);
    assert.match(lines[4], /^LABEL run\.cog\.openapi_schema=/);
    assert.deepEqual(lines.slice(5), ['LABEL other=kept', 'CMD ["a"]']);
  });

  it('changes the Dockerfile when a source changes (so drift is detectable)', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const changed = computeLabels({ ...sources, cogYaml: sources.cogYaml.replace('max: 32', 'max: 8') });
    assert.notEqual(syncDockerfileLabels(dockerfile, changed), syncDockerfileLabels(dockerfile, computeLabels(sources)));
  });
});
