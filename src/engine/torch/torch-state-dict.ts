// Reads a torch.save zip archive holding a state_dict of float16/bfloat16/float32
// tensors into tensor records (raw storage bytes + offset, shape and strides).
import { TorchFileError } from './errors.ts';
import { PyCallable, unpickle, type PyDict, type UnpickleHooks } from './pickle-machine.ts';
import { readStoredZip } from './zip-reader.ts';

export type TorchDtype = 'float16' | 'bfloat16' | 'float32';

export interface TorchStorage {
  key: string;
  dtype: TorchDtype;
  numel: number;
  bytes: Uint8Array;
}

export interface TorchTensor {
  storage: TorchStorage;
  storageOffset: number;
  shape: number[];
  stride: number[];
}

class StorageType {
  constructor(
    readonly dtype: TorchDtype,
    readonly itemSize: number,
  ) {}
}

const STORAGE_TYPES: Record<string, StorageType> = {
  HalfStorage: new StorageType('float16', 2),
  BFloat16Storage: new StorageType('bfloat16', 2),
  FloatStorage: new StorageType('float32', 4),
};

/** torch.save(obj) before torch 1.6 started with this pickled magic number (0x1950a86a20f9469cfc6c). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

export function readTorchStateDict(bytes: Uint8Array, source: string): Map<string, TorchTensor> {
  if (LEGACY_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new TorchFileError(
      source,
      'is not a torch zip file but the legacy torch.save format (torch<1.6 or _use_new_zipfile_serialization=False) — re-save it with torch>=1.6: torch.save(torch.load(path), path)',
    );
  }
  const entries = readStoredZip(bytes, source);
  const prefix = archivePrefix(entries, source);
  checkByteOrder(entries.get(`${prefix}byteorder`), source);
  const result = unpickle(entries.get(`${prefix}data.pkl`)!, torchHooks(entries, prefix, source), source);
  return tensorsOf(result, source);
}

/** torch names every record "<archive>/..."; the archive name varies ("archive", or the file's stem). */
function archivePrefix(entries: Map<string, Uint8Array>, source: string): string {
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new TorchFileError(
      source,
      `is a ZIP archive but not a torch.save file: expected exactly one <archive>/data.pkl entry, found ${pickles.length} (entries: ${[...entries.keys()].slice(0, 8).join(', ')})`,
    );
  }
  return pickles[0].slice(0, -'data.pkl'.length);
}

function checkByteOrder(record: Uint8Array | undefined, source: string): void {
  const order = record ? new TextDecoder().decode(record).trim() : 'little';
  if (order !== 'little') {
    throw new TorchFileError(source, `storages are stored ${order}-endian; only little-endian is supported — re-save the file on a little-endian machine`);
  }
}

function torchHooks(entries: Map<string, Uint8Array>, prefix: string, source: string): UnpickleHooks {
  const storages = new Map<string, TorchStorage>();
  return {
    findGlobal: (module, name) => findTorchGlobal(module, name, source),
    persistentLoad: (pid) => {
      const storage = loadStorage(pid, entries, prefix, source);
      const seen = storages.get(storage.key);
      if (!seen) storages.set(storage.key, storage);
      return seen ?? storage;
    },
    build: (target, state) => {
      // nn.Module.state_dict() attaches `_metadata` (module versions) through BUILD; it carries no weights.
      if (!(target instanceof Map) || !(state instanceof Map))
        throw new TorchFileError(source, 'data.pkl: BUILD on an object that is not an OrderedDict — not a plain state_dict');
    },
  };
}

function findTorchGlobal(module: string, name: string, source: string): unknown {
  const qualified = `${module}.${name}`;
  if (qualified === 'collections.OrderedDict') return new PyCallable(qualified, (args) => orderedDict(args, source));
  if (qualified === 'torch._utils._rebuild_tensor_v2') return new PyCallable(qualified, (args) => rebuildTensor(args, source));
  if (qualified === 'torch._utils._rebuild_parameter') return new PyCallable(qualified, (args) => args[0]);
  if (module === 'torch' && name in STORAGE_TYPES) return STORAGE_TYPES[name];
  if (module === 'torch' && name.endsWith('Storage')) {
    throw new TorchFileError(
      source,
      `holds a torch.${name} tensor; only float16, bfloat16 and float32 are supported — convert with .half() or .float() before saving`,
    );
  }
  throw new TorchFileError(
    source,
    `data.pkl needs the Python global ${qualified}, which this reader does not support; it reads only state_dicts of float tensors — save module.state_dict() (not the module itself) with torch.save`,
  );
}

function orderedDict(args: unknown[], source: string): PyDict {
  if (args.length) throw new TorchFileError(source, 'data.pkl: OrderedDict built from arguments — not a torch.save state_dict');
  return new Map();
}

function loadStorage(pid: unknown, entries: Map<string, Uint8Array>, prefix: string, source: string): TorchStorage {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage' || !(pid[1] instanceof StorageType) || typeof pid[2] !== 'string' || !isCount(pid[4])) {
    throw new TorchFileError(
      source,
      "data.pkl: persistent id is not ('storage', torch.<Type>Storage, key, location, numel) — the file is corrupt or not a torch.save file",
    );
  }
  const [, type, key, , numel] = pid as [string, StorageType, string, string, number];
  const bytes = entries.get(`${prefix}data/${key}`);
  if (!bytes) throw new TorchFileError(source, `storage ${key} is missing (no ${prefix}data/${key} entry) — the file is truncated or corrupt`);
  if (bytes.length !== numel * type.itemSize) {
    throw new TorchFileError(
      source,
      `storage ${key} holds ${bytes.length} bytes but ${numel} ${type.dtype} values need ${numel * type.itemSize} — the file is corrupt`,
    );
  }
  return { key, dtype: type.dtype, numel, bytes };
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
function rebuildTensor(args: unknown[], source: string): TorchTensor {
  const [storage, storageOffset, shape, stride] = args;
  const valid = args.length >= 4 && isStorage(storage) && isCount(storageOffset) && isCountList(shape) && isCountList(stride) && shape.length === stride.length;
  if (!valid) throw new TorchFileError(source, 'data.pkl: malformed _rebuild_tensor_v2 arguments — the file is corrupt');
  return { storage, storageOffset, shape, stride };
}

function tensorsOf(result: unknown, source: string): Map<string, TorchTensor> {
  if (!(result instanceof Map)) throw new TorchFileError(source, 'data.pkl does not hold a dict — save module.state_dict() with torch.save');
  const tensors = new Map<string, TorchTensor>();
  for (const [key, value] of result) {
    if (typeof key !== 'string' || !isTensor(value)) {
      throw new TorchFileError(source, `state_dict entry ${String(key)} is not a tensor — save module.state_dict() with torch.save`);
    }
    tensors.set(key, value);
  }
  return tensors;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
function isCountList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isCount);
}
function isStorage(value: unknown): value is TorchStorage {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'dtype' in value;
}
function isTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && 'storage' in value && 'shape' in value;
}
