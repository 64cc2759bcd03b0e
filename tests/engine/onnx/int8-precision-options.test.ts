// Where the precision is chosen and shown: BGE_M3_PRECISION, the CLI's
// --precision, the health check's setup info and the setup log.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readCpuFeatures } from '../../../src/engine/onnx/cpu-features.ts';
import { chooseInt8Weights } from '../../../src/engine/onnx/int8-weights.ts';
import { call, startTestServer, waitForHealth } from '../../helpers/server/helpers.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';
import { cli } from '../../helpers/run-cli.ts';

/** Keeps the int8 caches out of the shared test-model folders (whose contents other tests compare). */
const INT8_CACHE = mkdtempSync(path.join(os.tmpdir(), 'bge-int8-cli-'));
process.env.BGE_M3_INT8_CACHE = INT8_CACHE;
/** What auto picks on the machine running the tests: 8-bit weights with VNNI, else 7-bit. */
const AUTO = chooseInt8Weights('auto', readCpuFeatures());

test('predict --precision int8 runs the quantized model and says so in the setup log', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const r = await cli(['predict', '-i', 'texts=["hello world"]', '--weights', weights, '--precision', 'int8']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).dense_vecs.length, 1);
  assert.match(r.stderr, new RegExp(`precision int8 \\(12 weight MatMuls dynamically quantized, int8 ${AUTO.bits}-bit per-channel weights`));
  assert.ok(r.stderr.includes(`${AUTO.bits}-bit by ${AUTO.reason}; kernel self-test passed`), 'the log says why');
  assert.equal(readdirSync(INT8_CACHE).length, 1, 'cached under BGE_M3_INT8_CACHE, not beside the shared test model');
});

test('without --precision the CLI follows BGE_M3_PRECISION, and runs fp32 when neither is set', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const fromEnv = await cli(['predict', '-i', 'texts=hi', '--weights', weights], { BGE_M3_PRECISION: 'int8' });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.match(fromEnv.stderr, /precision int8 \(/);
  const plain = await cli(['predict', '-i', 'texts=hi', '--weights', weights], { BGE_M3_PRECISION: '' });
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /precision fp32$/m);
});

test('an unknown precision is refused with the choices, from the flag and from the environment', async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const flag = await cli(['predict', '-i', 'texts=hi', '--weights', weights, '--precision', 'int4']);
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /--precision must be one of fp32, int8, got "int4"/);
  const env = await cli(['predict', '-i', 'texts=hi', '--weights', weights], { BGE_M3_PRECISION: 'fp16' });
  assert.equal(env.code, 1);
  assert.match(env.stderr, /BGE_M3_PRECISION must be one of fp32, int8, got "fp16"/);
});

test("the health check and TEI's /info report the precision, with a notice the playground shows for int8", async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const saved = process.env.BGE_M3_PRECISION;
  process.env.BGE_M3_PRECISION = 'int8';
  const s = await startTestServer({ weights });
  try {
    const h = await waitForHealth(s.url, ['READY']);
    assert.equal(h.setup.precision, 'int8');
    assert.match(h.setup.precision_notice, /int8/);
    assert.match(h.setup.logs, /precision int8 \(/);
    const p = await call(s.url, 'POST', '/predictions', { input: { texts: ['hello'] } });
    assert.equal(p.status, 200);
    const info = await call(s.url, 'GET', '/info');
    assert.equal(info.body.model_dtype, 'int8', "TEI's /info names the precision");
    assert.deepEqual(info.body.int8_weights, { bits: AUTO.bits, reason: AUTO.reason }, '/info says which int8 weights and why');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`^bge_m3_model_info\\{precision="int8",int8_weight_bits="${AUTO.bits}"\\} 1$`, 'm'));
  } finally {
    await s.close();
    if (saved === undefined) delete process.env.BGE_M3_PRECISION;
    else process.env.BGE_M3_PRECISION = saved;
  }
});

test("an fp32 server keeps Cog's setup record as it is; its logs say fp32", async () => {
  const weights = (await ensureTestModels()).dirs.official;
  const s = await startTestServer({ weights });
  try {
    const h = await waitForHealth(s.url, ['READY']);
    assert.deepEqual(Object.keys(h.setup), ['started_at', 'completed_at', 'logs', 'status']);
    assert.match(h.setup.logs, /precision fp32$/m);
  } finally {
    await s.close();
  }
});
