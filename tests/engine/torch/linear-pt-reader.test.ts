// readLinearPt / loadLinearPt against files written by real torch.save, with the
// values torch itself exported to expected.json as the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadLinearPt, readLinearPt } from '../../../src/engine/torch/linear-pt.ts';
import { assertSameFloat32, expectedFixtures, fixturePath, readFixture } from '../../helpers/torch/fixtures.ts';

const expected = expectedFixtures();

test('expected.json covers fp16, bf16 and fp32 fixtures written by real torch', () => {
  const dtypes = new Set(Object.values(expected.files).map((file) => file.dtype));
  assert.deepEqual([...dtypes].sort(), ['bfloat16', 'float16', 'float32']);
});

for (const [name, want] of Object.entries(expected.files)) {
  test(`reads ${name} exactly as torch wrote it`, () => {
    const got = readLinearPt(readFixture(name), name);
    assert.equal(got.outFeatures, want.outFeatures);
    assert.equal(got.inFeatures, want.inFeatures);
    assertSameFloat32(got.weight, want.weightBits, 'weight');
    assertSameFloat32(got.bias, want.biasBits, 'bias');
  });
}

test('loadLinearPt reads a file from disk', async () => {
  const name = 'linear-8x1-fp16.pt';
  const got = await loadLinearPt(fixturePath(name));
  assert.equal(got.outFeatures, 1);
  assert.equal(got.inFeatures, 8);
  assertSameFloat32(got.weight, expected.files[name].weightBits, 'weight');
});

test('reads a Uint8Array that is a view at an odd offset into a larger buffer', () => {
  const name = 'linear-8x3-fp32.pt';
  const bytes = readFixture(name);
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 3);
  const got = readLinearPt(padded.subarray(3, 3 + bytes.length), name);
  assertSameFloat32(got.weight, expected.files[name].weightBits, 'weight');
});

test('loadLinearPt reports a missing file with its path', async () => {
  await assert.rejects(loadLinearPt(fixturePath('no-such-file.pt')), /no-such-file\.pt/);
});

test("uses torch's zip64 end record when the classic end record defers to it", () => {
  // torch writes both records; 0xffff / 0xffffffff placeholders force the zip64 path.
  const name = 'linear-8x3-fp16.pt';
  const bytes = readFixture(name).slice();
  const view = new DataView(bytes.buffer);
  const endRecord = bytes.length - 22;
  assert.equal(view.getUint32(endRecord, true), 0x06054b50);
  view.setUint16(endRecord + 8, 0xffff, true);
  view.setUint16(endRecord + 10, 0xffff, true);
  view.setUint32(endRecord + 12, 0xffffffff, true);
  view.setUint32(endRecord + 16, 0xffffffff, true);
  const got = readLinearPt(bytes, name);
  assertSameFloat32(got.weight, expected.files[name].weightBits, 'weight');
  assertSameFloat32(got.bias, expected.files[name].biasBits, 'bias');
});
