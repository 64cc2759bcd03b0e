// The handlers after the routers render each error through the protocol that
// claims the request: one too-deep body, four shapes and statuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request } from 'express';
import { PROTOCOLS } from '../../../src/server/app.ts';
import { errorHandler, notFound } from '../../../src/server/http/error-handlers.ts';
import { JsonTooDeepError } from '../../../src/server/http/json-body.ts';
import { protocolFor, type RequestLine } from '../../../src/server/protocols.ts';
import { fakeResponse } from '../../helpers/server/fake-response.ts';

const claimant = (req: RequestLine) => protocolFor(PROTOCOLS, req);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const req = (method: string, url: string) => ({ method, originalUrl: url, path: url.split('?')[0] }) as Request;

test('a too-deep body is answered in the shape and status of the protocol that claims the request', () => {
  const err = new JsonTooDeepError(['input', 'texts', 0, 0]);
  const cases: [string, number, (body: any) => void][] = [
    ['/predictions', 422, (b) => assert.equal(b.detail[0].type, 'value_error.json_depth')],
    ['/v1/predictions', 400, (b) => assert.equal(b.title, 'Request body nested too deeply')],
    ['/v1/embeddings', 400, (b) => assert.equal(b.error.type, 'invalid_request_error')],
    ['/embed', 422, (b) => assert.equal(b.error_type, 'Validation')],
  ];
  for (const [url, status, shape] of cases) {
    const { res, sent } = fakeResponse();
    errorHandler(claimant, quiet, 1024)(err, req('POST', url), res, () => assert.fail('not passed on'));
    assert.equal(sent.status, status, url);
    shape(sent.body);
  }
});

test("a server fault is logged with its stack and answered as the claimant's internal error", () => {
  const logged: string[] = [];
  const log = { ...quiet, error: (m: string) => void logged.push(m) };
  const { res, sent } = fakeResponse();
  errorHandler(claimant, log, 1024)(new Error('boom at /srv/app/x.ts:1:2'), req('POST', '/embed'), res, () => {});
  assert.equal(sent.status, 424, "TEI's Backend error");
  assert.equal(sent.body.error_type, 'Backend');
  assert.doesNotMatch(JSON.stringify(sent.body), /boom|srv/);
  assert.match(logged[0], /POST \/embed failed: Error: boom/);
});

test('an aborted request gets no body; a reply already started is left to Express', () => {
  const aborted = fakeResponse();
  errorHandler(claimant, quiet, 1024)(Object.assign(new Error('aborted'), { type: 'request.aborted' }), req('POST', '/predictions'), aborted.res, () =>
    assert.fail('not passed on'),
  );
  assert.deepEqual(aborted.sent, { ended: true });
  const started = fakeResponse();
  (started.res as { headersSent: boolean }).headersSent = true;
  const err = new Error('late');
  let passed: unknown;
  errorHandler(claimant, quiet, 1024)(err, req('POST', '/predictions'), started.res, (e?: unknown) => {
    passed = e;
  });
  assert.equal(passed, err);
  assert.deepEqual(started.sent, {});
});

test("a 404 names the route, in the claimant's shape", () => {
  const cog = fakeResponse();
  notFound(claimant)(req('GET', '/nothing'), cog.res, () => {});
  assert.equal(cog.sent.status, 404);
  assert.deepEqual(Object.keys(cog.sent.body), ['detail']);
  assert.match(cog.sent.body.detail, /No route for GET \/nothing/);
  const v1 = fakeResponse();
  notFound(claimant)(req('GET', '/v1/nothing'), v1.res, () => {});
  assert.deepEqual([v1.sent.body.title, v1.sent.body.status], ['Not found', 404]);
});
