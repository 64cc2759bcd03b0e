// Layers only look down: the engine knows nothing of the prediction contract,
// the servers or the command line; the contract nothing of its callers; the
// protocol rooms nothing of each other; the playground nothing outside web/.
// Read from the import specifiers of every code file under src/, web/,
// predict.ts and cli.ts (tests/helpers/layers/).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkLayers, describeViolation, type Allowance, type LayerRule } from '../helpers/layers/check-layers.ts';
import { readSourceFiles } from '../helpers/layers/source-files.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROOMS = ['cog', 'replicate', 'openai', 'tei'];

const RULES: LayerRule[] = [
  {
    says: 'src/engine imports nothing from src/server, src/cli, src/corpus, src/api or predict.ts',
    files: ['src/engine/'],
    forbidden: ['src/server/', 'src/cli/', 'src/corpus/', 'src/api/', 'predict.ts'],
  },
  { says: 'src/api imports nothing from src/server, src/cli or src/corpus', files: ['src/api/'], forbidden: ['src/server/', 'src/cli/', 'src/corpus/'] },
  { says: 'src/corpus imports nothing from src/server or src/cli', files: ['src/corpus/'], forbidden: ['src/server/', 'src/cli/'] },
  ...ROOMS.map((room) => ({
    says: `the protocol rooms src/server/{${ROOMS.join(',')}} import nothing from each other`,
    files: [`src/server/${room}/`],
    forbidden: ROOMS.filter((r) => r !== room).map((r) => `src/server/${r}/`),
  })),
  { says: 'web/ imports nothing outside web/', files: ['web/'], only: ['web/'] },
  { says: 'nothing outside web/ imports from web/ (serving it by path is fine)', files: ['src/', 'predict.ts', 'cli.ts'], forbidden: ['web/'] },
  { says: 'nothing under src/ imports from tests/, tools/ or bench/', files: ['src/'], forbidden: ['tests/', 'tools/', 'bench/'] },
  {
    says: "the weights command reaches only src/engine/weights, src/cli/weights-progress.ts, src/cli/progress-display.ts and src/setting-kinds.ts (the Docker image's weights stage holds no more)",
    files: ['src/cli/weights-command.ts', 'src/cli/weights-progress.ts', 'src/cli/progress-display.ts', 'src/engine/weights/', 'src/setting-kinds.ts'],
    only: ['src/engine/weights/', 'src/cli/weights-progress.ts', 'src/cli/progress-display.ts', 'src/setting-kinds.ts'],
  },
];

/** Lasting exceptions, each with its reason. */
const EXCEPTIONS: Allowance[] = [
  {
    file: 'src/cli/',
    target: 'tools/fixtures/',
    why: "the demo command serves a small random-weight model made by the test fixtures' generator, which lives in tools/fixtures",
  },
];

describe('layers', () => {
  const files = readSourceFiles(ROOT, ['src', 'web', 'predict.ts', 'cli.ts']);
  const report = checkLayers(files, RULES, EXCEPTIONS);

  it('are read from every layer', () => {
    const read = files.map((f) => f.path);
    for (const layer of ['src/engine/', 'src/api/', 'src/server/', 'src/cli/', 'src/corpus/', 'web/js/'])
      assert.ok(
        read.some((p) => p.startsWith(layer)),
        layer,
      );
    for (const entry of ['predict.ts', 'cli.ts', 'src/engine/worker/boot.mjs', 'src/settings.ts']) assert.ok(read.includes(entry), entry);
  });

  it('only look down', () => {
    assert.deepEqual(report.violations.map(describeViolation), []);
  });

  it('tolerate only imports that are still there', () => {
    assert.deepEqual(report.unusedAllowances, []);
  });
});
