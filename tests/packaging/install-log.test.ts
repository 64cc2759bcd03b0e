// tools/install/check-log.ts on sample npm install logs: every warning line the
// project causes is reported (engines, unknown project config, unreviewed install
// scripts, deprecations), warnings about the machine's own npm config are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avoidableWarnings } from '../../tools/install/check-log.ts';

test('a quiet install has nothing to report', () => {
  assert.deepEqual(avoidableWarnings('\nadded 195 packages in 14s\n\n39 packages are looking for funding\n  run `npm fund` for details\n'), []);
});

test('warnings the project causes are reported line by line, colour codes stripped; the kept onnxruntime-node switch is not', () => {
  const log = [
    'npm warn Unknown project config "onnxruntime-node-install". This will stop working in the next major version of npm.',
    'npm warn Unknown project config "save-exact-ish". This will stop working in the next major version of npm.',
    'npm warn EBADENGINE Unsupported engine {',
    "npm warn EBADENGINE   package: 'kubernetes-models@5.1.0',",
    "npm warn EBADENGINE   required: { node: '>=22' },",
    'npm warn EBADENGINE }',
    '',
    'added 192 packages in 11s',
    'npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:',
    '\x1b[33mnpm warn\x1b[39m deprecated inflight@1.0.6: This module is not supported',
    'npm WARN old-lockfile The package-lock.json file was created with an old version of npm',
  ].join('\n');
  assert.deepEqual(avoidableWarnings(log), [
    'npm warn Unknown project config "save-exact-ish". This will stop working in the next major version of npm.',
    'npm warn EBADENGINE Unsupported engine {',
    "npm warn EBADENGINE   package: 'kubernetes-models@5.1.0',",
    "npm warn EBADENGINE   required: { node: '>=22' },",
    'npm warn EBADENGINE }',
    'npm warn install-scripts 1 package has install scripts not yet covered by allowScripts:',
    'npm warn deprecated inflight@1.0.6: This module is not supported',
    'npm WARN old-lockfile The package-lock.json file was created with an old version of npm',
  ]);
});

test("warnings about the machine's npm config are not the project's doing", () => {
  const log = [
    'npm warn Unknown user config "always-auth". This will stop working in the next major version of npm.',
    'npm warn Unknown env config "python". This will stop working in the next major version of npm.',
    'npm warn Unknown global config "foo".',
    'npm warn Unknown builtin config "bar".',
  ].join('\r\n');
  assert.deepEqual(avoidableWarnings(log), []);
});

test('text that merely mentions a warning is not one', () => {
  assert.deepEqual(avoidableWarnings('> echo "npm warn is printed by npm"\nsee npm warn lines above'), []);
});
