// `cli.ts embed --vector-type`: the parts hold /predictions' vector_type
// answers for the same texts, read back by an independent reader (parquet-wasm,
// arrow-rs) with their Arrow types: FixedSizeList<float16|int8|uint8, dim> and
// FixedSizeBinary(dim / 8) for the packed bits, ColBERT a List of those; JSONL
// holds the /predictions JSON numbers. The manifest names the vector_type and
// the calibration, and a rerun with another of either is refused.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Predictor, type Output } from '../../predict.ts';
import { BUNDLED_CALIBRATION_TEXTS, BUNDLED_SET_NAME } from '../../src/api/calibration-set.ts';
import type { VectorType } from '../../src/api/vector-types.ts';
import type { Manifest } from '../../src/corpus/manifest.ts';
import { makeCorpus, readJsonlParts, readParquetParts, runJobInProcess, tempDir, toJsonl } from '../helpers/corpus.ts';
import { officialWeights } from '../helpers/server/real-model.ts';

const corpus = makeCorpus(7, 5, 30);
const MANIFEST = 'shard-00000-of-00001.manifest.json';

describe('cli.ts embed --vector-type', () => {
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')) });
  let weights: string;
  let input: string;
  let dim: number;

  before(async () => {
    weights = await officialWeights();
    await p.setup({ weights, log: () => {} });
    dim = p.info!.dim;
    input = path.join(tempDir('vector-type'), 'in.jsonl');
    writeFileSync(input, toJsonl(corpus));
  });
  after(() => p.close?.());

  /** One text at a time, as the job below embeds them (a batch's padding changes the floats' last bits). */
  const job = (type: VectorType, output: string, extra: Record<string, unknown> = {}) =>
    runJobInProcess(p, { input, output, weights, vectorType: type, colbert: true, windowRows: 1, chunkRows: 1, partRows: 3, ...extra });
  const predict = (text: string, type: VectorType, encoding: 'float' | 'base64') =>
    p.predict({ texts: [text], return_colbert: true, vector_type: type, vector_encoding: encoding }) as Promise<Output>;

  const item = { float16: 'Float16', int8: 'Int8', uint8: 'Uint8' } as const;
  for (const type of ['float16', 'int8', 'uint8'] as const) {
    test(`${type}: FixedSizeList<${item[type]}, dim> columns holding /predictions' numbers`, async () => {
      const out = tempDir(type);
      await job(type, out);
      const parts = readParquetParts(out);
      const vec = `FixedSizeList[${dim}]<${item[type]}>`;
      assert.deepEqual(parts[0].types, ['Utf8', 'Int32', 'Bool', vec, 'List<Int32>', 'List<Float32>', `List<${vec}>`]);
      const rows = parts.flatMap((x) => x.rows);
      assert.equal(rows.length, corpus.length);
      for (const [i, row] of rows.entries()) {
        const want = await predict(corpus[i].text, type, 'float');
        assert.deepEqual(row.dense, (want.dense_vecs as number[][])[0], `dense of row ${i}`);
        assert.deepEqual(row.colbert, (want.colbert_vecs as number[][][])[0], `colbert of row ${i}`);
      }
      const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST), 'utf8')) as Manifest;
      assert.equal(manifest.options.vector_type, type);
      const cal = (await predict('x', type, 'float')).calibration;
      assert.equal(manifest.calibration, cal, 'the calibration of int8/uint8 is named, none for float16');
    });
  }

  for (const type of ['binary', 'ubinary'] as const) {
    test(`${type}: FixedSizeBinary(dim / 8) columns holding /predictions' base64 bytes`, async () => {
      const out = tempDir(type);
      await job(type, out);
      const parts = readParquetParts(out);
      const vec = `FixedSizeBinary[${dim / 8}]`;
      assert.deepEqual(parts[0].types, ['Utf8', 'Int32', 'Bool', vec, 'List<Int32>', 'List<Float32>', `List<${vec}>`]);
      const rows = parts.flatMap((x) => x.rows);
      for (const [i, row] of rows.entries()) {
        const want = await predict(corpus[i].text, type, 'base64');
        assert.equal(Buffer.from(row.dense as unknown as Uint8Array).toString('base64'), (want.dense_vecs as string[])[0], `dense of row ${i}`);
        const colbert = Buffer.concat((row.colbert as unknown as Uint8Array[]).map((b) => Buffer.from(b)));
        assert.equal(colbert.toString('base64'), (want.colbert_vecs as string[])[0], `colbert of row ${i}`);
      }
    });
  }

  test('JSONL parts hold the /predictions JSON of the vector_type', async () => {
    const out = tempDir('jsonl');
    await job('binary', out, { format: 'jsonl' });
    const rows = readJsonlParts(out);
    for (const [i, row] of rows.entries()) {
      const want = await predict(corpus[i].text, 'binary', 'float');
      assert.deepEqual(row.dense, (want.dense_vecs as number[][])[0]);
      assert.deepEqual(row.colbert, (want.colbert_vecs as number[][][])[0]);
    }
  });

  test('a rerun with another vector_type is refused, naming both', async () => {
    const out = tempDir('rerun-type');
    await job('int8', out);
    await assert.rejects(job('uint8', out), /vector_type was "int8", now "uint8".*--restart/);
  });

  test('a rerun after the calibration changed is refused before anything is written; with it back, the run continues', async () => {
    const out = tempDir('rerun-calibration');
    await job('int8', out);
    const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST), 'utf8')) as Manifest;
    const last = manifest.parts.at(-1)!;
    unlinkSync(path.join(out, last.file));
    const other = await p.calibration({ name: 'other', texts: ['another calibration set', 'with other ranges'] });
    assert.notEqual(other.hash, manifest.calibration);
    await assert.rejects(job('int8', out), new RegExp(`quantized with calibration ${manifest.calibration}.*now ${other.hash}.*--restart`));
    assert.ok(!existsSync(path.join(out, last.file)), 'no part was written with the other calibration');
    await p.calibration({ name: BUNDLED_SET_NAME, texts: BUNDLED_CALIBRATION_TEXTS });
    const summary = await job('int8', out);
    assert.equal(summary.partsWritten, 1);
    assert.equal(readParquetParts(out).flatMap((x) => x.rows).length, corpus.length);
  });
});

test('--vector-type int8 with no calibration to be had stops before any part, naming the flag and the fix', async () => {
  const weights = await officialWeights();
  const p = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')), calibrationSet: { name: 'empty', texts: [] } });
  await p.setup({ weights, log: () => {} });
  try {
    const input = path.join(tempDir('no-calibration'), 'in.jsonl');
    writeFileSync(input, toJsonl(corpus));
    const output = tempDir('no-calibration-out');
    await assert.rejects(
      runJobInProcess(p, { input, output, weights, vectorType: 'int8' }),
      /--vector-type int8 needs a calibration of these weights, and none could be made .*cli\.ts calibrate/,
    );
    assert.deepEqual(readParquetParts(output), []);
    await runJobInProcess(p, { input, output: tempDir('binary-without-calibration'), weights, vectorType: 'binary' });
  } finally {
    await p.close();
  }
});
