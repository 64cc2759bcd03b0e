// A minimal ZIP reader for torch.save archives: reads the central directory (zip64
// included), accepts only stored (uncompressed) entries and verifies each CRC-32.
import { crc32 } from './crc32.ts';
import { TorchFileError } from './errors.ts';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;

interface Directory {
  count: number;
  offset: number;
  size: number;
}
interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  localOffset: number;
}

class ByteReader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  require(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length) {
      throw new TorchFileError(
        this.source,
        `${what} runs past the end of the file (byte ${at}+${length} of ${this.bytes.length}) — the file is truncated or corrupt; download it again`,
      );
    }
  }

  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  u64(at: number): number {
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new TorchFileError(this.source, `ZIP field at byte ${at} is absurdly large (${value}) — the file is corrupt`);
    return Number(value);
  }
}

/** Returns every entry of a stored-only ZIP archive by name. Throws TorchFileError naming `source`. */
export function readStoredZip(bytes: Uint8Array, source: string): Map<string, Uint8Array> {
  const reader = new ByteReader(bytes, source);
  const directory = readDirectory(reader, findEndRecord(reader));
  const entries = new Map<string, Uint8Array>();
  for (const entry of readCentralEntries(reader, directory)) entries.set(entry.name, entryData(reader, entry));
  return entries;
}

function findEndRecord(reader: ByteReader): number {
  const { bytes } = reader;
  const lowest = Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - END_RECORD_SIZE; at >= lowest; at--) {
    if (bytes[at] === 0x50 && reader.u32(at) === SIG_END) return at;
  }
  const startsLikeZip = bytes.length >= 4 && reader.u32(0) === SIG_LOCAL;
  throw new TorchFileError(
    reader.source,
    startsLikeZip
      ? 'ZIP archive has no end-of-central-directory record — the file is truncated; download it again'
      : 'not a ZIP archive (no end-of-central-directory record) — expected a file written by torch.save (torch>=1.6)',
  );
}

function readDirectory(reader: ByteReader, end: number): Directory {
  const count = reader.u16(end + 10);
  const size = reader.u32(end + 12);
  const offset = reader.u32(end + 16);
  if (count !== 0xffff && size !== 0xffffffff && offset !== 0xffffffff) return { count, offset, size };
  return readZip64Directory(reader, end);
}

function readZip64Directory(reader: ByteReader, end: number): Directory {
  const locator = end - 20;
  reader.require(locator, 20, 'zip64 end-of-central-directory locator');
  if (reader.u32(locator) !== SIG_ZIP64_LOCATOR)
    throw new TorchFileError(reader.source, 'ZIP archive needs zip64 but has no zip64 locator — the file is corrupt; download it again');
  const record = reader.u64(locator + 8);
  reader.require(record, 56, 'zip64 end-of-central-directory record');
  if (reader.u32(record) !== SIG_ZIP64_END)
    throw new TorchFileError(reader.source, 'zip64 end-of-central-directory record is missing — the file is corrupt; download it again');
  return { count: reader.u64(record + 32), size: reader.u64(record + 40), offset: reader.u64(record + 48) };
}

function readCentralEntries(reader: ByteReader, directory: Directory): CentralEntry[] {
  reader.require(directory.offset, directory.size, 'ZIP central directory');
  const entries: CentralEntry[] = [];
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    reader.require(at, 46, 'ZIP central directory entry');
    if (reader.u32(at) !== SIG_CENTRAL)
      throw new TorchFileError(reader.source, `ZIP central directory entry ${i} has a bad signature — the file is corrupt; download it again`);
    const nameLength = reader.u16(at + 28);
    const extraLength = reader.u16(at + 30);
    const commentLength = reader.u16(at + 32);
    reader.require(at + 46, nameLength + extraLength, 'ZIP entry name');
    const entry: CentralEntry = {
      name: new TextDecoder().decode(reader.bytes.subarray(at + 46, at + 46 + nameLength)),
      flags: reader.u16(at + 8),
      method: reader.u16(at + 10),
      crc: reader.u32(at + 16),
      compressed: reader.u32(at + 20),
      size: reader.u32(at + 24),
      localOffset: reader.u32(at + 42),
    };
    applyZip64Extra(reader, entry, at + 46 + nameLength, extraLength);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces 0xffffffff placeholders with the 64-bit values of the zip64 extra field (id 1), in spec order. */
function applyZip64Extra(reader: ByteReader, entry: CentralEntry, start: number, length: number): void {
  for (let at = start; at + 4 <= start + length; ) {
    const id = reader.u16(at);
    const size = reader.u16(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = (): number => {
        const value = reader.u64(field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressed === 0xffffffff) entry.compressed = next();
      if (entry.localOffset === 0xffffffff) entry.localOffset = next();
    }
    at += 4 + size;
  }
}

function entryData(reader: ByteReader, entry: CentralEntry): Uint8Array {
  const { source } = reader;
  if (entry.flags & 1) throw new TorchFileError(source, `ZIP entry ${entry.name} is encrypted — torch files are never encrypted; use the original file`);
  if (entry.method !== 0) {
    throw new TorchFileError(
      source,
      `ZIP entry ${entry.name} is compressed (method ${entry.method}); torch.save writes uncompressed entries — use the file exactly as torch.save wrote it (do not re-zip it)`,
    );
  }
  if (entry.compressed !== entry.size)
    throw new TorchFileError(source, `ZIP entry ${entry.name} is stored but its sizes differ (${entry.compressed} vs ${entry.size}) — the file is corrupt`);
  reader.require(entry.localOffset, 30, `local header of ZIP entry ${entry.name}`);
  if (reader.u32(entry.localOffset) !== SIG_LOCAL)
    throw new TorchFileError(source, `ZIP entry ${entry.name} has a bad local header — the file is corrupt; download it again`);
  const start = entry.localOffset + 30 + reader.u16(entry.localOffset + 26) + reader.u16(entry.localOffset + 28);
  reader.require(start, entry.size, `data of ZIP entry ${entry.name}`);
  const data = reader.bytes.subarray(start, start + entry.size);
  if (crc32(data) !== entry.crc) throw new TorchFileError(source, `ZIP entry ${entry.name} fails its CRC-32 check — the file is corrupt; download it again`);
  return data;
}
