import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findModelFiles } from '../../../src/engine/weights/model-files.ts';
import { BgeM3Onnx, detectLayout, sessionOptions } from '../../../src/engine/onnx/onnx-model.ts';
import { DataType, GraphBuilder } from '../../../src/engine/onnx/graph-builder.ts';
import { ensureTestModels } from '../../helpers/model/test-models.ts';

test('layouts are recognised by output names', () => {
  assert.deepEqual(detectLayout(['token_embeddings', 'sentence_embedding']), { kind: 'backbone', hidden: 'token_embeddings' });
  assert.deepEqual(detectLayout(['last_hidden_state']), { kind: 'backbone', hidden: 'last_hidden_state' });
  assert.equal(detectLayout(['dense_vecs', 'sparse_vecs', 'colbert_vecs'])?.kind, 'heads-in-graph');
  assert.deepEqual(detectLayout(['dense_embeddings', 'sparse_weights', 'colbert_vectors']), {
    kind: 'heads-in-graph',
    outputs: { dense: 'dense_embeddings', sparse: 'sparse_weights', colbert: 'colbert_vectors' },
  });
  assert.equal(detectLayout(['logits']), null);
});

test('threads sleep between operators unless spinThreads asks them to spin', () => {
  const spinning = (o: ReturnType<typeof sessionOptions>) => (o.extra as { session: { intra_op: { allow_spinning: string } } }).session.intra_op.allow_spinning;
  assert.equal(spinning(sessionOptions()), '0');
  assert.equal(spinning(sessionOptions({ spinThreads: false })), '0');
  assert.equal(spinning(sessionOptions({ spinThreads: true })), '1');
});

test('an unknown layout fails with the files and output names found, and what was expected', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-unknown-'));
  const g = new GraphBuilder();
  g.input('input_ids', DataType.INT64, ['b', 's']);
  g.input('attention_mask', DataType.INT64, ['b', 's']);
  g.op('Cast', ['input_ids'], { to: DataType.FLOAT }, 'logits');
  g.output('logits', DataType.FLOAT, ['b', 's']);
  await writeFile(path.join(dir, 'model.onnx'), g.build().model);
  await writeFile(path.join(dir, 'tokenizer.json'), '{}');
  await assert.rejects(BgeM3Onnx.load(await findModelFiles(dir)), (err: Error) => {
    assert.match(err.message, /Unknown BGE-M3 ONNX layout .*model\.onnx: outputs \[logits\], inputs \[input_ids, attention_mask\]/);
    assert.match(err.message, /Files found in .*: model\.onnx, tokenizer\.json/);
    assert.match(err.message, /Expected one of: token_embeddings .* dense_vecs\/sparse_vecs\/colbert_vecs/);
    return true;
  });
});

test('a backbone-only export without its .pt heads names the missing files', async () => {
  const { dirs } = await ensureTestModels();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-noheads-'));
  await cp(dirs.official, dir, { recursive: true });
  await rm(path.join(dir, 'colbert_linear.pt'));
  await assert.rejects(
    BgeM3Onnx.load(await findModelFiles(dir)),
    /outputs hidden states only, so BGE-M3's heads must come from colbert_linear\.pt, which is not in/,
  );
});

test('a model whose external data is missing says where it must be', async () => {
  const { dirs } = await ensureTestModels();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bge-nodata-'));
  await cp(dirs.official, dir, { recursive: true });
  const data = (await readdir(path.join(dir, 'onnx'))).find((f) => f.endsWith('_data'))!;
  await writeFile(path.join(dir, 'onnx', data), '');
  await assert.rejects(BgeM3Onnx.load(await findModelFiles(dir)), /onnxruntime could not load .*model\.onnx.*external data/s);
});
