// The playground's reading of outputs in other shapes (web/js/output-shapes.js):
// the real server's base64 and indices_values outputs become exactly its
// default output; a tokens output keeps its keys, each named by its text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { groupedByText } from '../helpers/format-round-trip.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { waitForHealth } from '../helpers/server/helpers.ts';
import { loadOutputShapes, type OutputShapesModule } from '../helpers/web/web-modules.ts';

const TEXTS = ['It costs 5.5 or 5 or 0.5 dollars', 'e.g. www.example.com and 中文'];

let shapes: OutputShapesModule;
let server: RunningServer;

before(async () => {
  shapes = await loadOutputShapes();
  server = await startServer({ port: 0, host: '127.0.0.1', weights: (await ensureTestModels()).dirs.official, log: () => {}, config: { logLevel: 'error' } });
  await waitForHealth(server.url, ['READY']);
});

after(() => server.close());

async function predict(input: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${server.url}/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { texts: TEXTS, return_colbert: true, ...input } }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).output;
}

test('base64 vectors and indices_values read as the default output, exactly', async () => {
  const base = await predict({});
  assert.deepEqual(shapes.viewableOutput(base), base, 'the default output passes through');
  for (const sparse_format of ['dict', 'indices_values']) {
    const out = await predict({ sparse_format, vector_encoding: 'base64' });
    assert.equal(typeof out.colbert_vecs[0], 'string');
    assert.deepEqual(shapes.viewableOutput(out, sparse_format), base);
  }
});

test('base64 vectors of float16, binary and ubinary read as the numbers their float encoding sends', async () => {
  for (const vector_type of ['float16', 'binary', 'ubinary']) {
    const floats = await predict({ vector_type });
    const out = await predict({ vector_type, vector_encoding: 'base64' });
    assert.equal(typeof out.dense_vecs[0], 'string');
    assert.deepEqual(shapes.viewableOutput(out, 'dict', vector_type), floats, vector_type);
  }
});

test('a tokens output keeps its keys, and lexical_tokens names each by its text', async () => {
  const base = await predict({});
  const view = shapes.viewableOutput(await predict({ sparse_format: 'tokens' }), 'tokens');
  view.lexical_weights.forEach((weights: Record<string, number>, i: number) => {
    const byText = new Map(Object.entries(weights).map(([key, w]) => [view.lexical_tokens[key], w]));
    assert.deepEqual(byText, groupedByText(base.lexical_weights[i], base.lexical_tokens));
  });
});
