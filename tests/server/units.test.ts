// Small pure pieces of the server: settings from the environment, cog.yaml's
// concurrency, ids, timestamps, Prefer: wait, the OpenAPI envelope.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseYamlSubset } from '../../tools/docker/mini-yaml.ts';
import { cogYamlConcurrencyMax, DEFAULT_CONFIG, readServerConfig } from '../../src/server/config.ts';
import { newPredictionId } from '../../src/server/predictions/ids.ts';
import { buildOpenApiSchema } from '../../src/server/cog/openapi.ts';
import { preferWaitSeconds } from '../../src/server/replicate/routes.ts';
import { cogTime, v1Time } from '../../src/server/predictions/time.ts';

const COG_YAML = fileURLToPath(new URL('../../cog.yaml', import.meta.url));

test("settings come from Cog's variables and BGE_M3_*, with defaults", () => {
  assert.deepEqual(readServerConfig({}), DEFAULT_CONFIG);
  const c = readServerConfig({
    COG_MAX_CONCURRENCY: '7',
    COG_THROTTLE_RESPONSE_INTERVAL: '0.25',
    WEBHOOK_AUTH_TOKEN: 'tok',
    BGE_M3_MAX_BODY_MB: '2',
    COG_LOG_LEVEL: 'WARNING',
  });
  assert.equal(c.maxConcurrency, 7);
  assert.equal(c.throttleIntervalMs, 250);
  assert.equal(c.webhookAuthToken, 'tok');
  assert.equal(c.maxBodyBytes, 2 * 1024 * 1024);
  assert.equal(c.logLevel, 'warning');
  assert.throws(() => readServerConfig({ COG_MAX_CONCURRENCY: '0' }), /COG_MAX_CONCURRENCY must be a positive integer, got "0"/);
  assert.throws(() => readServerConfig({ BGE_M3_MAX_BODY_MB: 'lots' }), /BGE_M3_MAX_BODY_MB/);
});

test('cog.yaml concurrency.max applies unless COG_MAX_CONCURRENCY is set', () => {
  const yaml = 'build:\n  gpu: false\nconcurrency:\n  # slots\n  max: 12\n  default_target: 4\npredict: "predict.ts:Predictor"\n';
  assert.equal(cogYamlConcurrencyMax(yaml), 12);
  assert.equal(cogYamlConcurrencyMax('concurrency: { default_target: 2, max: 9 }\n'), 9);
  assert.equal(cogYamlConcurrencyMax('build:\n  max: 3\n'), undefined, 'a max under another key is not it');
  assert.equal(readServerConfig({}, yaml).maxConcurrency, 12);
  assert.equal(readServerConfig({ COG_MAX_CONCURRENCY: '3' }, yaml).maxConcurrency, 3);
});

test("the project's cog.yaml: concurrency.max read as a YAML parser reads it", { skip: !existsSync(COG_YAML) && 'no cog.yaml yet' }, () => {
  const text = readFileSync(COG_YAML, 'utf8');
  const parsed = parseYamlSubset(text) as { concurrency?: { max?: number } };
  assert.equal(cogYamlConcurrencyMax(text), parsed.concurrency?.max);
});

test('prediction ids: 26 lowercase base32 characters, distinct', () => {
  const ids = Array.from({ length: 2000 }, newPredictionId);
  for (const id of ids) assert.match(id, /^[a-z2-7]{26}$/);
  assert.equal(new Set(ids).size, ids.length);
});

test('timestamps: Cog writes +00:00 with microseconds, /v1 writes Z', () => {
  const d = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 67));
  assert.equal(cogTime(d), '2025-01-02T03:04:05.067000+00:00');
  assert.equal(v1Time(d), '2025-01-02T03:04:05.067Z');
  assert.equal(cogTime(null), null);
});

test('Prefer: wait[=n] is 1..60 seconds', () => {
  assert.equal(preferWaitSeconds(undefined), undefined);
  assert.equal(preferWaitSeconds('respond-async'), undefined);
  assert.equal(preferWaitSeconds('wait'), 60);
  assert.equal(preferWaitSeconds('wait=5'), 5);
  assert.equal(preferWaitSeconds('wait=500'), 60);
  assert.equal(preferWaitSeconds('wait=0'), 1);
  assert.equal(preferWaitSeconds('foo, wait=7'), 7);
});

test("OpenAPI: Cog's envelope around the schema", () => {
  const o = buildOpenApiSchema() as any;
  assert.equal(o.openapi, '3.0.2');
  const s = o.components.schemas;
  assert.deepEqual(Object.keys(s), [
    'Input',
    'sparse_format',
    'vector_encoding',
    'vector_type',
    'dense_pooling',
    'chunk_context',
    'Output',
    'PredictionRequest',
    'PredictionResponse',
    'Status',
    'WebhookEvent',
    'HTTPValidationError',
    'ValidationError',
  ]);
  const order = Object.values(s.Input.properties).map((p: any) => p['x-order']);
  assert.deepEqual(
    order,
    order.map((_, i) => i),
    'x-order numbers the inputs 0..n-1',
  );
  assert.equal(s.Input.title, 'Input');
  assert.equal(s.Output.title, 'Output');
  assert.deepEqual(s.Status.enum, ['starting', 'processing', 'succeeded', 'canceled', 'failed']);
  assert.deepEqual(s.WebhookEvent.enum, ['start', 'output', 'logs', 'completed']);
  assert.deepEqual(s.ValidationError.required, ['loc', 'msg', 'type']);
  assert.deepEqual(Object.keys(o.paths).sort(), [
    '/',
    '/health-check',
    '/predictions',
    '/predictions/{prediction_id}',
    '/predictions/{prediction_id}/cancel',
    '/shutdown',
  ]);
  // Every $ref resolves.
  const refs = [...JSON.stringify(o).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 5);
  for (const name of refs) assert.ok(s[name], `${name} resolves`);
  assert.notEqual(buildOpenApiSchema(), buildOpenApiSchema(), 'a fresh object each call (callers may mutate it)');
});
