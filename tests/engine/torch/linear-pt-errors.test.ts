// Every way a head file can be wrong must fail with a TorchFileError that names the
// file, says what was wrong and how to fix it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLinearPt, TorchFileError } from '../../../src/engine/torch/linear-pt.ts';
import { readStoredZip } from '../../../src/engine/torch/zip-reader.ts';
import { encodeStateDictPickle, type PickledTensor } from '../../../tools/fixtures/torch/state-dict-pickle.ts';
import { encodeStoredZip, type ZipEntryInput } from '../../../tools/fixtures/torch/zip-writer.ts';
import { readFixture } from '../../helpers/torch/fixtures.ts';

const SOURCE = 'colbert_linear.pt';

function assertRefused(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => readLinearPt(bytes, SOURCE),
    (error: unknown) => {
      assert.ok(error instanceof TorchFileError, `expected a TorchFileError, got ${String(error)}`);
      assert.ok(error.message.startsWith(`${SOURCE}: `), `message should name the file: ${error.message}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

const half = (count: number) => new Uint8Array(2 * count);
const ascii = (text: string) => new TextEncoder().encode(text);

function tensor(name: string, key: string, shape: number[], storageNumel: number, storageOffset = 0): PickledTensor {
  return { name, storageClass: 'HalfStorage', storageKey: key, storageNumel, storageOffset, shape };
}

/** A torch-layout archive around a hand-made data.pkl and storages. */
function craft(pickle: Uint8Array, storages: Record<string, Uint8Array>, extra: ZipEntryInput[] = []): Uint8Array {
  return encodeStoredZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    ...extra,
    { name: 'archive/version', data: ascii('3\n') },
  ]);
}

function craftLinear(weight: PickledTensor, bias: PickledTensor, storages: Record<string, Uint8Array>): Uint8Array {
  return craft(encodeStateDictPickle([weight, bias]), storages);
}

test('a legacy (non-zip) torch.save file asks to re-save with torch>=1.6', () => {
  assertRefused(readFixture('linear-8x3-fp16-legacy.pt'), /not a torch zip file but the legacy torch\.save format.*re-save it with torch>=1\.6/);
});

test('empty input, random bytes and other formats are not ZIP archives', () => {
  for (const bytes of [new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff), ascii('{"__metadata__":{}}')]) {
    assertRefused(bytes, /not a ZIP archive.*torch\.save/);
  }
});

test('a truncated file says it is truncated', () => {
  const bytes = readFixture('linear-8x3-fp16.pt');
  for (const length of [4, 100, bytes.length - 1]) assertRefused(bytes.subarray(0, length), /truncated/);
});

test('a flipped bit in a storage fails the CRC check', () => {
  const bytes = readFixture('linear-8x3-fp16.pt').slice();
  const storage = readStoredZip(bytes, SOURCE).get('linear-8x3-fp16/data/0')!;
  bytes[storage.byteOffset + 5] ^= 0x10;
  assertRefused(bytes, /data\/0 fails its CRC-32 check.*corrupt/);
});

test('a compressed entry is refused, naming the entry and method', () => {
  const bytes = readFixture('linear-8x3-fp16.pt').slice();
  const view = new DataView(bytes.buffer);
  const endRecord = bytes.length - 22; // torch writes no archive comment
  assert.equal(view.getUint32(endRecord, true), 0x06054b50);
  view.setUint16(view.getUint32(endRecord + 16, true) + 10, 8, true); // first entry's method := deflate
  assertRefused(bytes, /data\.pkl is compressed \(method 8\).*do not re-zip/);
});

test('a ZIP without <archive>/data.pkl is not a torch.save file', () => {
  assertRefused(encodeStoredZip([{ name: 'weights.bin', data: half(4) }]), /not a torch\.save file.*data\.pkl/);
});

test('a whole saved nn.Module names the unsupported global and asks for state_dict()', () => {
  assertRefused(readFixture('linear-8x3-fp16-whole-module.pt'), /torch\.nn\.modules\.linear\.Linear.*state_dict\(\)/);
});

test('a float64 state_dict names the dtype and the fix', () => {
  assertRefused(readFixture('linear-8x3-fp64.pt'), /torch\.DoubleStorage.*float16, bfloat16 and float32.*\.half\(\)/);
});

test('a Linear without bias says which keys it found', () => {
  assertRefused(readFixture('linear-8x3-fp16-nobias.pt'), /no 'bias' tensor \(keys: weight\)/);
});

test('a non-contiguous (transposed) weight asks for .contiguous()', () => {
  assertRefused(readFixture('linear-8x3-fp16-transposed.pt'), /weight is not contiguous \(shape \[3,8\], strides \[1,3\]\).*contiguous\(\)/);
});

test('shapes that are not an nn.Linear are refused', () => {
  const storages = { 0: half(24), 1: half(3) };
  assertRefused(
    craftLinear(tensor('weight', '0', [24], 24), tensor('bias', '1', [3], 3), storages),
    /weight shape \[24\] and bias shape \[3\] do not form an nn\.Linear/,
  );
  assertRefused(craftLinear(tensor('weight', '0', [3, 8], 24), tensor('bias', '1', [1, 3], 3), storages), /do not form an nn\.Linear/);
  const fourBias = { 0: half(24), 1: half(4) };
  assertRefused(craftLinear(tensor('weight', '0', [3, 8], 24), tensor('bias', '1', [4], 4), fourBias), /bias shape \[4\]/);
});

test('a tensor reaching past its storage is corrupt', () => {
  const storages = { 0: half(20), 1: half(3) };
  assertRefused(craftLinear(tensor('weight', '0', [3, 8], 20), tensor('bias', '1', [3], 3), storages), /weight reads elements 0\.\.23 of a 20-element storage/);
  const offsetStorages = { 0: half(24), 1: half(3) };
  assertRefused(
    craftLinear(tensor('weight', '0', [3, 8], 24), tensor('bias', '1', [3], 3, 1), offsetStorages),
    /bias reads elements 1\.\.3 of a 3-element storage/,
  );
});

test('a storage whose byte length disagrees with its element count is corrupt', () => {
  assertRefused(
    craftLinear(tensor('weight', '0', [3, 8], 24), tensor('bias', '1', [3], 3), { 0: half(20), 1: half(3) }),
    /storage 0 holds 40 bytes but 24 float16 values need 48/,
  );
});

test('a missing storage record is reported', () => {
  assertRefused(
    craftLinear(tensor('weight', '0', [3, 8], 24), tensor('bias', '1', [3], 3), { 0: half(24) }),
    /storage 1 is missing \(no archive\/data\/1 entry\)/,
  );
});

test('a big-endian archive is refused', () => {
  const pickle = encodeStateDictPickle([tensor('weight', '0', [1, 2], 2), tensor('bias', '1', [1], 1)]);
  const bytes = craft(pickle, { 0: half(2), 1: half(1) }, [{ name: 'archive/byteorder', data: ascii('big') }]);
  assertRefused(bytes, /big-endian.*little-endian/);
});

test('an unsupported pickle opcode is named', () => {
  const pickle = Uint8Array.from([0x80, 0x02, 0x81, 0x2e]); // PROTO 2, NEWOBJ, STOP
  assertRefused(craft(pickle, {}), /unsupported pickle opcode NEWOBJ \(0x81\) at byte 2/);
});

test('a pickle cut before STOP is truncated', () => {
  const pickle = encodeStateDictPickle([tensor('weight', '0', [1, 2], 2), tensor('bias', '1', [1], 1)]);
  assertRefused(craft(pickle.subarray(0, pickle.length - 40), { 0: half(2), 1: half(1) }), /before its STOP opcode.*truncated/);
});

test('a pickle that underflows its stack is corrupt', () => {
  const pickle = Uint8Array.from([0x80, 0x02, 0x52, 0x2e]); // REDUCE on an empty stack
  assertRefused(craft(pickle, {}), /stack underflow at byte 2/);
});

test('a pickle that is not a dict of tensors is refused', () => {
  const list = Uint8Array.from([0x80, 0x02, 0x5d, 0x2e]); // []
  assertRefused(craft(list, {}), /does not hold a dict/);
  const dictOfInt = Uint8Array.from([0x80, 0x02, 0x7d, 0x58, 1, 0, 0, 0, 0x77, 0x4b, 7, 0x73, 0x2e]); // {'w': 7}
  assertRefused(craft(dictOfInt, {}), /entry w is not a tensor/);
});
