// The page's reading of server answers: 422 bodies from both routes mapped to
// form fields (oracle: the real server's own 422s), banners found in the
// health check, and the readiness states that lock or unlock the form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { loadApi, loadHealth, type ApiModule, type HealthModule } from '../helpers/web/web-modules.ts';

const BANNER = 'Demo weights: outputs are random.';

let api: ApiModule;
let health: HealthModule;
let server: RunningServer;

before(async () => {
  [api, health] = await Promise.all([loadApi(), loadHealth()]);
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    weights: (await ensureTestModels()).dirs.official,
    banner: BANNER,
    log: () => {},
    config: { logLevel: 'error' },
  });
});

after(() => server.close());

async function rejection(path: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
  assert.equal(res.status, 422, `${path} should reject ${JSON.stringify(input)}`);
  return res.json();
}

describe('422 bodies become field messages', () => {
  for (const path of ['/predictions', '/v1/predictions']) {
    test(`${path}: each problem is placed on the input field it names`, async () => {
      const issues = api.validationIssues(await rejection(path, { texts: ['a'], max_length: 0, return_dense: 'maybe' }));
      const fields = issues.map((i) => i.loc.slice(0, 3).join('.')).sort();
      assert.deepEqual(fields, ['body.input.max_length', 'body.input.return_dense']);
      for (const i of issues) assert.ok(i.msg.length > 0);
    });

    test(`${path}: a missing required input is placed on that field`, async () => {
      const issues = api.validationIssues(await rejection(path, {}));
      assert.deepEqual(
        issues.map((i) => i.loc.slice(0, 3)),
        [['body', 'input', 'texts']],
      );
    });
  }

  test('Replicate-style item paths become numeric indexes', () => {
    const issues = api.validationIssues({ invalid_fields: [{ type: 'x', field: 'input.texts.2', description: 'bad' }] });
    assert.deepEqual(issues, [{ loc: ['body', 'input', 'texts', 2], msg: 'bad', type: 'x' }]);
  });

  test('bodies without field problems give none', () => {
    assert.deepEqual(api.validationIssues({ detail: 'Already running a prediction' }), []);
    assert.deepEqual(api.validationIssues(null), []);
  });
});

describe('health check', () => {
  test("the server's banner is found in its health check, and nothing else is taken for one", async () => {
    const body = await (await fetch(`${server.url}/health-check`)).json();
    assert.deepEqual(health.findBanners(body), [BANNER]);
    assert.deepEqual(health.findBanners({ status: 'READY', setup: { logs: 'loaded', status: 'succeeded' } }), []);
    assert.deepEqual(health.findBanners({ x: { notice: ' n ' }, banner: 'b', warning: 'b' }), ['n', 'b']);
  });

  test('READY and BUSY unlock the form; STARTING waits; SETUP_FAILED explains with the setup logs', () => {
    assert.deepEqual(health.readiness({ status: 'READY' }), { ready: true, waiting: false, message: '' });
    assert.equal(health.readiness({ status: 'BUSY' }).ready, true);
    assert.deepEqual({ ...health.readiness({ status: 'STARTING' }), message: '' }, { ready: false, waiting: true, message: '' });
    const failed = health.readiness({ status: 'SETUP_FAILED', setup: { logs: 'no model.onnx in /w' } });
    assert.equal(failed.ready || failed.waiting, false);
    assert.match(failed.message, /no model\.onnx in \/w/);
  });
});
