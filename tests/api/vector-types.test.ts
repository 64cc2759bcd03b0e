// vector_type: every type equals sentence-transformers' definition computed
// independently by numpy (tests/helpers/quantize/), for dense and ColBERT, as
// JSON numbers and as base64 bytes, on the generated test model; int8/uint8
// with the calibration's ranges, themselves checked against numpy's min/max of
// the bundled set's float vectors. float32 is today's output exactly; scores
// stay those of the float vectors; the calibration cache is reused, rebuilt for
// another set, and a calibration that cannot be made is a 422 on vector_type.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Predictor, type CalibrationRanges } from '../../predict.ts';
import { CALIBRATION_FILE, parseCalibrationTexts } from '../../src/api/calibration.ts';
import { BUNDLED_CALIBRATION_TEXTS } from '../../src/api/calibration-set.ts';
import { InputValidationError } from '../../src/api/errors.ts';
import { asFloatOutput, type FloatOutput } from '../../src/api/output-formats.ts';
import { quantize } from '../../src/api/vector-types.ts';
import { ensureTestModels } from '../helpers/model/test-models.ts';
import { numpyMissing, numpyQuantize, numpyRanges } from '../helpers/quantize/numpy-oracle.ts';

const skip = numpyMissing ? 'numpy not available (/usr/bin/python3 -c "import numpy" failed; apt-get install python3-numpy)' : false;
const TYPES = ['float16', 'int8', 'uint8', 'binary', 'ubinary'] as const;
const TEXTS = ['Prices fell 50% today, then 3.5% more.', 'e.g. www.example.com and 中文', 'plain words only'];

describe('quantize, by hand', () => {
  test('uint8/int8: floor of (x - min) / step clipped to 0..255; a flat dimension has step 1', () => {
    const ranges = { min: [0, -1, 2, 0], max: [1, 1, 2, 0.5] };
    const v = Float32Array.of(0.5, 2, 2.75, -3);
    // (0.5 - 0) / (1/255) = 127.5 -> 127; (2 + 1) / (2/255) = 382.5 -> 255; (2.75 - 2) / 1 -> 0; negative -> 0
    assert.deepEqual(quantize(v, 'uint8', ranges).values, [127, 255, 0, 0]);
    assert.deepEqual(quantize(v, 'int8', ranges).values, [-1, 127, -128, -128]);
    assert.deepEqual([...quantize(v, 'int8', ranges).bytes], [0xff, 0x7f, 0x80, 0x80]);
  });

  test('ubinary/binary: x > 0 bits, most significant first, the last byte padded with zeros', () => {
    const v = Float32Array.of(1, 0, -1, 0.5, 0, 0, 0, 2, 3, -0);
    assert.deepEqual(quantize(v, 'ubinary').values, [0b10010001, 0b10000000]);
    assert.deepEqual(quantize(v, 'binary').values, [0b10010001 - 128, 0]);
    assert.deepEqual([...quantize(v, 'binary').bytes], [0b00010001, 0]);
  });

  test('float16 rounds to nearest even and writes little-endian halves', () => {
    const q = quantize(Float32Array.of(1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -2), 'float16');
    assert.deepEqual(q.values, [1, 1, 1 + 2 ** -9, -2]);
    assert.deepEqual([...q.bytes], [0x00, 0x3c, 0x00, 0x3c, 0x02, 0x3c, 0x00, 0xc0]);
  });
});

describe('vector_type through the Predictor on the generated model', { skip }, () => {
  let p: Predictor;
  let base: FloatOutput;
  let cal: CalibrationRanges;
  let cacheDir: string;
  const common = { texts: TEXTS, return_colbert: true };

  before(async () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'calibration-'));
    p = new Predictor({ calibrationDir: cacheDir });
    await p.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
    base = asFloatOutput(await p.predict(common));
    cal = await p.calibration();
  });

  after(() => p?.close());

  test('the calibration is numpy’s per-dimension min and max of the bundled set’s float vectors', async () => {
    const out = asFloatOutput(await p.predict({ texts: [...BUNDLED_CALIBRATION_TEXTS], max_length: 512, return_colbert: true }));
    const expect = { dense: numpyRanges(out.dense_vecs!), colbert: numpyRanges(out.colbert_vecs!.flat()) };
    assert.deepEqual({ dense: cal.dense, colbert: cal.colbert }, expect);
    assert.match(cal.hash, /^[0-9a-f]{8}$/);
    assert.equal(cal.set.texts, BUNDLED_CALIBRATION_TEXTS.length);
  });

  test('float32 is the output of today, byte for byte, in both encodings', async () => {
    assert.deepEqual(await p.predict({ ...common, vector_type: 'float32' }), base);
    const b64 = await p.predict({ ...common, vector_encoding: 'base64' });
    assert.deepEqual(await p.predict({ ...common, vector_encoding: 'base64', vector_type: 'float32' }), b64);
  });

  for (const type of TYPES) {
    for (const vector_encoding of ['float', 'base64'] as const) {
      test(`${type} as ${vector_encoding} equals numpy's ${type} of the float vectors`, async () => {
        const out = await p.predict({ ...common, vector_type: type, vector_encoding });
        const ranges = (which: 'dense' | 'colbert') => (type === 'int8' || type === 'uint8' ? cal[which] : undefined);
        const dense = numpyQuantize(type, base.dense_vecs!, ranges('dense'));
        const colbert = base.colbert_vecs!.map((rows) => numpyQuantize(type, rows, ranges('colbert')));
        if (vector_encoding === 'float') {
          assert.deepEqual(out.dense_vecs, dense.values);
          assert.deepEqual(
            out.colbert_vecs,
            colbert.map((c) => c.values),
          );
        } else {
          const perText = numpyQuantize(type, [base.dense_vecs![0]], ranges('dense'));
          assert.equal(out.dense_vecs![0], perText.base64);
          assert.deepEqual(
            out.colbert_vecs,
            colbert.map((c) => c.base64),
          );
          const bytes = Buffer.from(out.dense_vecs![0] as string, 'base64').length;
          const dim = base.dense_vecs![0].length;
          assert.equal(bytes, { float16: 2 * dim, int8: dim, uint8: dim, binary: Math.ceil(dim / 8), ubinary: Math.ceil(dim / 8) }[type]);
        }
        assert.equal(out.calibration, type === 'int8' || type === 'uint8' ? cal.hash : undefined);
        assert.deepEqual(out.token_counts, base.token_counts);
      });
    }
  }

  test('scores stay those of the float vectors', async () => {
    const float = await p.predict({ texts: TEXTS, query: 'prices today' });
    assert.deepEqual((await p.predict({ texts: TEXTS, query: 'prices today', vector_type: 'binary' })).scores, float.scores);
    assert.deepEqual((await p.predict({ texts: TEXTS, query: 'prices today', vector_type: 'int8' })).scores, float.scores);
  });

  test('an unknown vector_type is refused naming the valid values', async () => {
    await assert.rejects(
      p.predict({ texts: ['a'], vector_type: 'int4' }),
      (err) =>
        err instanceof InputValidationError &&
        err.issues[0].field === 'vector_type' &&
        err.message === 'vector_type must be one of "float32", "float16", "int8", "uint8", "binary", "ubinary" (got "int4")',
    );
  });

  test('the cache is reused by the next Predictor, and a calibration of another set replaces it', async () => {
    const file = path.join(cacheDir, CALIBRATION_FILE);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).hash, cal.hash);
    const q = new Predictor({ calibrationDir: cacheDir });
    await q.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
    try {
      let batches = 0;
      q.observe({ batch: () => batches++ });
      assert.deepEqual(await q.calibration(), cal);
      assert.equal(batches, 0, 'a cached calibration embeds nothing');
      const other = await q.calibration({ name: 'mine', texts: ['only one text', 'and a second'] });
      assert.notEqual(other.hash, cal.hash);
      assert.ok(batches > 0, 'a new set is embedded');
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).hash, other.hash);
      assert.equal((await q.predict({ texts: ['a'], vector_type: 'uint8' })).calibration, other.hash);
      const seen = batches;
      assert.deepEqual(await q.calibration({ name: 'mine', texts: ['only one text', 'and a second'] }), other);
      assert.equal(batches, seen, 'the same set again is the cached one');
    } finally {
      await q.close();
    }
  });

  test('int8 when no calibration can be made is a 422 on vector_type that names the fix', async () => {
    const q = new Predictor({ calibrationDir: mkdtempSync(path.join(tmpdir(), 'calibration-')), calibrationSet: { name: 'empty', texts: [] } });
    await q.setup({ weights: (await ensureTestModels()).dirs.official, log: () => {} });
    try {
      await assert.rejects(
        q.predict({ texts: ['a'], vector_type: 'int8' }),
        (err) => err instanceof InputValidationError && err.issues[0].field === 'vector_type' && /cli\.ts calibrate/.test(err.message),
      );
      assert.equal((await q.predict({ texts: ['a'], vector_type: 'binary' })).calibration, undefined);
    } finally {
      await q.close();
    }
  });
});

test('calibration files: one text a line, or JSONL with a text field', () => {
  assert.deepEqual(parseCalibrationTexts('one\n\ntwo\r\n', 'f'), ['one', 'two']);
  assert.deepEqual(parseCalibrationTexts('{"text": "a"}\n{"text": "b", "id": 2}\n', 'f'), ['a', 'b']);
  assert.throws(() => parseCalibrationTexts('{"id": 1}\n', 'f'), /f line 1: .*"text"/);
  assert.throws(() => parseCalibrationTexts('\n', 'f'), /no texts/);
});
