// The `ARROW:schema` key-value entry of a Parquet file: the Arrow schema the
// columns were written from, which Arrow readers (pyarrow, arrow-rs, polars,
// LanceDB) use to restore types Parquet cannot say, such as a fixed-size list.
// Its value is base64 of an encapsulated Arrow IPC message (0xFFFFFFFF, the
// flatbuffer's length, the flatbuffer) whose header is a Schema (Arrow's
// format/Message.fbs and Schema.fbs). The few tables needed are written here
// directly rather than through a flatbuffers dependency.

/** The Arrow types the corpus job writes. */
export type ArrowType =
  | { kind: 'utf8' }
  | { kind: 'bool' }
  | { kind: 'int32' }
  | { kind: 'int8' }
  | { kind: 'uint8' }
  | { kind: 'float16' }
  | { kind: 'float32' }
  | { kind: 'fixedSizeBinary'; size: number }
  | { kind: 'list'; item: ArrowField }
  | { kind: 'fixedSizeList'; size: number; item: ArrowField };

export interface ArrowField {
  name: string;
  nullable: boolean;
  type: ArrowType;
}

/** Type union tags, MetadataVersion and MessageHeader values from the Arrow format. */
const TYPE_TAG = { int32: 2, int8: 2, uint8: 2, float16: 3, float32: 3, utf8: 5, bool: 6, list: 12, fixedSizeBinary: 15, fixedSizeList: 16 } as const;
const METADATA_V5 = 4;
const HEADER_SCHEMA = 1;
const FLOAT_HALF = 0;
const FLOAT_SINGLE = 1;

type Value =
  | { t: 'u8' | 'bool'; v: number }
  | { t: 'i16'; v: number }
  | { t: 'i32'; v: number }
  | { t: 'table'; v: Table }
  | { t: 'string'; v: string }
  | { t: 'tables'; v: Table[] };

/** A flatbuffer table: slot number → value (absent slots take the schema's default). */
type Table = Map<number, Value>;

function fieldTable(f: ArrowField): Table {
  const t: Table = new Map();
  t.set(0, { t: 'string', v: f.name });
  t.set(1, { t: 'bool', v: f.nullable ? 1 : 0 });
  t.set(2, { t: 'u8', v: TYPE_TAG[f.type.kind] });
  const type: Table = new Map();
  if (f.type.kind === 'int32' || f.type.kind === 'int8' || f.type.kind === 'uint8') {
    // Int { bitWidth, is_signed }
    type.set(0, { t: 'i32', v: f.type.kind === 'int32' ? 32 : 8 }).set(1, { t: 'bool', v: f.type.kind === 'uint8' ? 0 : 1 });
  } else if (f.type.kind === 'float32' || f.type.kind === 'float16') {
    type.set(0, { t: 'i16', v: f.type.kind === 'float32' ? FLOAT_SINGLE : FLOAT_HALF });
  } else if (f.type.kind === 'fixedSizeList' || f.type.kind === 'fixedSizeBinary') {
    // FixedSizeList { listSize }, FixedSizeBinary { byteWidth }
    type.set(0, { t: 'i32', v: f.type.size });
  }
  t.set(3, { t: 'table', v: type });
  const children = f.type.kind === 'list' || f.type.kind === 'fixedSizeList' ? [fieldTable(f.type.item)] : [];
  t.set(5, { t: 'tables', v: children });
  return t;
}

/** Serializes front to back: every offset points forward, as flatbuffers' unsigned offsets must. */
class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.ensure(pad);
    this.length += pad;
  }

  reserve(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  i16(at: number, v: number): void {
    this.view.setInt16(at, v, true);
  }
  i32(at: number, v: number): void {
    this.view.setInt32(at, v, true);
  }
  bytes(at: number, b: Uint8Array): void {
    this.buf.set(b, at);
  }
  /** Points the uoffset at `at` to `target` (which is after it). */
  offset(at: number, target: number): void {
    this.i32(at, target - at);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const SIZE: Record<Value['t'], number> = { u8: 1, bool: 1, i16: 2, i32: 4, table: 4, string: 4, tables: 4 };

/** Writes the vtable, then the table; returns the table's position. Referenced objects follow it. */
function writeTable(w: Writer, t: Table): number {
  const slots = [...t.keys()].sort((a, b) => a - b);
  const slotCount = slots.length ? slots[slots.length - 1] + 1 : 0;
  // Table layout: soffset to the vtable, then fields, largest first so each stays aligned.
  const order = [...slots].sort((a, b) => SIZE[t.get(b)!.t] - SIZE[t.get(a)!.t]);
  const fieldAt = new Map<number, number>();
  let size = 4;
  for (const s of order) {
    const n = SIZE[t.get(s)!.t];
    size += (n - (size % n)) % n;
    fieldAt.set(s, size);
    size += n;
  }
  size += (4 - (size % 4)) % 4;
  w.align(2);
  const vtable = w.reserve(4 + 2 * slotCount);
  w.i16(vtable, 4 + 2 * slotCount);
  w.i16(vtable + 2, size);
  for (let s = 0; s < slotCount; s++) w.i16(vtable + 4 + 2 * s, fieldAt.get(s) ?? 0);
  w.align(4);
  const table = w.reserve(size);
  w.i32(table, table - vtable);
  const later: [number, Value][] = [];
  for (const s of slots) {
    const value = t.get(s)!;
    const at = table + fieldAt.get(s)!;
    if (value.t === 'u8' || value.t === 'bool') w.u8(at, value.v);
    else if (value.t === 'i16') w.i16(at, value.v);
    else if (value.t === 'i32') w.i32(at, value.v);
    else later.push([at, value]);
  }
  for (const [at, value] of later) w.offset(at, writeObject(w, value));
  return table;
}

function writeObject(w: Writer, value: Value): number {
  if (value.t === 'table') return writeTable(w, value.v);
  if (value.t === 'string') {
    const bytes = new TextEncoder().encode(value.v);
    w.align(4);
    const at = w.reserve(4 + bytes.length + 1);
    w.i32(at, bytes.length);
    w.bytes(at + 4, bytes);
    w.u8(at + 4 + bytes.length, 0);
    return at;
  }
  if (value.t === 'tables') {
    w.align(4);
    const at = w.reserve(4 + 4 * value.v.length);
    w.i32(at, value.v.length);
    value.v.forEach((table, i) => w.offset(at + 4 + 4 * i, writeTable(w, table)));
    return at;
  }
  throw new Error(`a ${value.t} is stored inline, not as an object`);
}

/** The Arrow IPC Schema message for these fields, as the base64 text of an `ARROW:schema` entry. */
export function arrowSchemaMetadata(fields: ArrowField[]): string {
  const schema: Table = new Map([[1, { t: 'tables', v: fields.map(fieldTable) } as Value]]);
  const message: Table = new Map<number, Value>([
    [0, { t: 'i16', v: METADATA_V5 }],
    [1, { t: 'u8', v: HEADER_SCHEMA }],
    [2, { t: 'table', v: schema }],
  ]);
  const w = new Writer();
  const root = w.reserve(4);
  w.offset(root, writeTable(w, message));
  w.align(8);
  const flatbuffer = w.result();
  const framed = new Uint8Array(8 + flatbuffer.length);
  const view = new DataView(framed.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setInt32(4, flatbuffer.length, true);
  framed.set(flatbuffer, 8);
  return Buffer.from(framed).toString('base64');
}
