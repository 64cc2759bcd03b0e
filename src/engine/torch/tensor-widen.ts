// Copies a contiguous float16/bfloat16/float32 tensor out of its storage as float32.
import { TorchFileError } from './errors.ts';
import { bfloat16BitsToNumber, float16BitsToNumber } from './float16.ts';
import type { TorchTensor } from './torch-state-dict.ts';

export function widenToFloat32(tensor: TorchTensor, name: string, source: string): Float32Array {
  const count = tensor.shape.reduce((product, size) => product * size, 1);
  checkContiguous(tensor, name, source);
  const { storage, storageOffset } = tensor;
  if (storageOffset + count > storage.numel) {
    throw new TorchFileError(
      source,
      `tensor ${name} reads elements ${storageOffset}..${storageOffset + count - 1} of a ${storage.numel}-element storage — the file is corrupt`,
    );
  }
  const view = new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength);
  const out = new Float32Array(count);
  if (storage.dtype === 'float32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * (storageOffset + i), true);
  } else {
    const decode = storage.dtype === 'float16' ? float16BitsToNumber : bfloat16BitsToNumber;
    for (let i = 0; i < count; i++) out[i] = decode(view.getUint16(2 * (storageOffset + i), true));
  }
  return out;
}

/** Row-major strides are required; the stride of a size-1 dimension never matters. */
function checkContiguous(tensor: TorchTensor, name: string, source: string): void {
  let expected = 1;
  for (let dim = tensor.shape.length - 1; dim >= 0; dim--) {
    const size = tensor.shape[dim];
    if (size !== 1 && tensor.stride[dim] !== expected) {
      throw new TorchFileError(
        source,
        `tensor ${name} is not contiguous (shape [${tensor.shape}], strides [${tensor.stride}]) — save tensor.contiguous() instead (e.g. {k: v.contiguous() for k, v in sd.items()})`,
      );
    }
    expected *= size;
  }
}
