// The layer checker on a synthetic file set: a file importing what its rule
// forbids (or what its rule does not allow) fails with a message naming the
// file, the import and the rule; allowances excuse exactly their imports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLayers, describeViolation, resolveTarget, type LayerRule } from '../helpers/layers/check-layers.ts';

const ENGINE_RULE: LayerRule = { says: 'src/engine imports nothing from src/cli', files: ['src/engine/'], forbidden: ['src/cli/', 'predict.ts'] };
const WEB_RULE: LayerRule = { says: 'web/ imports nothing outside web/', files: ['web/'], except: ['web/vendor/'], only: ['web/'] };

const FILES = [
  { path: 'src/engine/onnx/model.ts', text: "import { x } from '../types.ts';\nimport { bar } from '../../cli/progress-display.ts';\n" },
  { path: 'src/engine/types.ts', text: "import express from 'express';\n" },
  { path: 'src/cli/embed.ts', text: "import { m } from '../engine/onnx/model.ts';\n" },
  { path: 'web/js/main.js', text: "import { api } from './api.js';\nimport { s } from '../../src/api/schema.ts';\n" },
  { path: 'web/vendor/lib.js', text: "import '../../node_modules/lib/index.js';\n" },
];

describe('checkLayers', () => {
  it('fails an engine file importing from src/cli, naming the file, the import and the rule', () => {
    const { violations } = checkLayers(FILES, [ENGINE_RULE]);
    assert.deepEqual(violations.map(describeViolation), [
      "src/engine/onnx/model.ts:2 imports '../../cli/progress-display.ts' (src/cli/progress-display.ts), which breaks the rule: src/engine imports nothing from src/cli",
    ]);
  });

  it('fails a file importing outside what its rule allows, except the files the rule leaves out', () => {
    const { violations } = checkLayers(FILES, [WEB_RULE]);
    assert.deepEqual(
      violations.map((v) => [v.file, v.target]),
      [['web/js/main.js', 'src/api/schema.ts']],
    );
  });

  it('excuses exactly the allowed imports and reports allowances that match nothing', () => {
    const allowed = { file: 'src/engine/', target: 'src/cli/progress-display.ts', why: 'being moved' };
    const gone = { file: 'src/engine/types.ts', target: 'predict.ts', why: 'already fixed' };
    const report = checkLayers(FILES, [ENGINE_RULE, WEB_RULE], [allowed, gone]);
    assert.deepEqual(
      report.violations.map((v) => v.file),
      ['web/js/main.js'],
    );
    assert.deepEqual(report.unusedAllowances, [gone]);
  });

  it('resolves relative specifiers to repo paths, and packages and builtins to nothing', () => {
    assert.equal(resolveTarget('cli.ts', './src/cli/demo.ts'), 'src/cli/demo.ts');
    assert.equal(resolveTarget('web/js/a.js', '../../predict.ts'), 'predict.ts');
    assert.equal(resolveTarget('src/a.ts', '../../outside.ts'), '../outside.ts');
    assert.equal(resolveTarget('src/a.ts', 'express'), null);
    assert.equal(resolveTarget('src/a.ts', 'node:fs'), null);
  });
});
