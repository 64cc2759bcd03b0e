// `cli.ts serve --precision` reaches the server's Predictor as an option: it
// wins over BGE_M3_PRECISION without being written into the environment.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { call } from '../helpers/server/helpers.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { startServerProcess } from '../helpers/server/server-process.ts';

test('serve --precision int8 serves the int8 model although BGE_M3_PRECISION says fp32', async () => {
  const weights = await officialWeights();
  const int8Cache = mkdtempSync(path.join(os.tmpdir(), 'bge-int8-serve-'));
  const s = await startServerProcess({ BGE_M3_PRECISION: 'fp32', BGE_M3_INT8_CACHE: int8Cache }, [
    'cli.ts',
    'serve',
    '--weights',
    weights,
    '--precision',
    'int8',
  ]);
  try {
    const health = await call(s.url, 'GET', '/health-check');
    assert.equal(health.body.setup.precision, 'int8');
    assert.match(health.body.setup.logs, /precision int8 \(/);
  } finally {
    await s.stop();
  }
});
