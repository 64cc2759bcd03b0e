// A minimal pickle virtual machine: exactly the opcodes that torch.save uses for a
// state_dict of tensors (protocols 2 to 4). Anything else fails with the opcode's name.
// Globals and persistent ids are resolved by the caller, so nothing is ever imported or run.
import { TorchFileError } from './errors.ts';
import { describeOpcode } from './pickle-opcodes.ts';

/** A Python callable that a GLOBAL resolved to; REDUCE calls it with the argument tuple. */
export class PyCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

export interface UnpickleHooks {
  /** Returns the value for GLOBAL module.name, or throws if it is not allowed. */
  findGlobal(module: string, name: string): unknown;
  persistentLoad(pid: unknown): unknown;
  /** BUILD: applies `state` to `target` (e.g. an OrderedDict's __dict__), or throws. */
  build(target: unknown, state: unknown): void;
}

/** Python dicts (and OrderedDicts) become Maps; tuples and lists become arrays. */
export type PyDict = Map<unknown, unknown>;

export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source: string): unknown {
  return new PickleMachine(bytes, hooks, source).run();
}

class PickleMachine {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hooks: UnpickleHooks,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): unknown {
    for (;;) {
      const at = this.pos;
      const code = this.take(1)[0];
      if (code === 0x2e) return this.finish(); // STOP
      if (!this.step(code)) {
        this.fail(
          `unsupported pickle opcode ${describeOpcode(code)} at byte ${at}; this reader handles only state_dicts of tensors as torch.save writes them — re-save with torch.save(module.state_dict(), path)`,
        );
      }
    }
  }

  /** Executes one opcode; returns false for opcodes this machine does not support. */
  private step(code: number): boolean {
    switch (code) {
      case 0x80:
        this.take(1);
        return true; // PROTO
      case 0x95:
        this.take(8);
        return true; // FRAME (framing only)
      case 0x63:
        this.push(this.global(this.line(), this.line()));
        return true; // GLOBAL
      case 0x93: {
        const name = this.pop();
        this.push(this.global(this.pop(), name));
        return true;
      } // STACK_GLOBAL
      case 0x71:
        this.memo.set(this.take(1)[0], this.top());
        return true; // BINPUT
      case 0x72:
        this.memo.set(this.u32(), this.top());
        return true; // LONG_BINPUT
      case 0x94:
        this.memo.set(this.memo.size, this.top());
        return true; // MEMOIZE
      case 0x68:
        this.push(this.recall(this.take(1)[0]));
        return true; // BINGET
      case 0x6a:
        this.push(this.recall(this.u32()));
        return true; // LONG_BINGET
      case 0x28:
        this.marks.push(this.stack.length);
        return true; // MARK
      case 0x29:
        this.push([]);
        return true; // EMPTY_TUPLE
      case 0x74:
        this.push(this.popMark());
        return true; // TUPLE
      case 0x85:
      case 0x86:
      case 0x87:
        this.push(this.popN(code - 0x84));
        return true; // TUPLE1..3
      case 0x5d:
        this.push([]);
        return true; // EMPTY_LIST
      case 0x61: {
        const item = this.pop();
        this.list(this.top()).push(item);
        return true;
      } // APPEND
      case 0x65: {
        const items = this.popMark();
        this.list(this.top()).push(...items);
        return true;
      } // APPENDS
      case 0x7d:
        this.push(new Map());
        return true; // EMPTY_DICT
      case 0x73: {
        const [k, v] = this.popN(2);
        this.dict(this.top()).set(k, v);
        return true;
      } // SETITEM
      case 0x75:
        this.setItems(this.popMark());
        return true; // SETITEMS
      case 0x52:
        this.reduce();
        return true; // REDUCE
      case 0x62: {
        const state = this.pop();
        this.hooks.build(this.top(), state);
        return true;
      } // BUILD
      case 0x51:
        this.push(this.hooks.persistentLoad(this.pop()));
        return true; // BINPERSID
      case 0x4a:
        this.push(this.view.getInt32(this.advance(4), true));
        return true; // BININT
      case 0x4b:
        this.push(this.take(1)[0]);
        return true; // BININT1
      case 0x4d:
        this.push(this.view.getUint16(this.advance(2), true));
        return true; // BININT2
      case 0x8a:
        this.push(this.long1());
        return true; // LONG1
      case 0x47:
        this.push(this.view.getFloat64(this.advance(8), false));
        return true; // BINFLOAT
      case 0x88:
        this.push(true);
        return true; // NEWTRUE
      case 0x89:
        this.push(false);
        return true; // NEWFALSE
      case 0x4e:
        this.push(null);
        return true; // NONE
      case 0x58:
        this.push(this.utf8(this.u32()));
        return true; // BINUNICODE
      case 0x8c:
        this.push(this.utf8(this.take(1)[0]));
        return true; // SHORT_BINUNICODE
      default:
        return false;
    }
  }

  private finish(): unknown {
    if (this.stack.length !== 1 || this.marks.length) this.fail(`pickle ended with ${this.stack.length} values on the stack — the file is corrupt`);
    return this.stack[0];
  }

  private global(module: unknown, name: unknown): unknown {
    if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL with non-string names — the file is corrupt');
    return this.hooks.findGlobal(module, name);
  }

  private reduce(): void {
    const args = this.pop();
    const callable = this.pop();
    if (!(callable instanceof PyCallable)) this.fail('REDUCE applied to something that is not a callable global — the file is corrupt');
    if (!Array.isArray(args)) this.fail(`REDUCE of ${callable.qualifiedName} without an argument tuple — the file is corrupt`);
    this.push(callable.call(args));
  }

  private setItems(items: unknown[]): void {
    if (items.length % 2) this.fail('SETITEMS with an odd number of values — the file is corrupt');
    const dict = this.dict(this.top());
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  }

  /** LONG1: a little-endian two's-complement integer of n bytes; must fit a safe JS integer. */
  private long1(): number {
    const n = this.take(1)[0];
    const digits = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]);
    if (n && digits[n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`integer ${value} is too large`);
    return Number(value);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.truncated();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private utf8(length: number): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.take(length));
  }
  private u32(): number {
    return this.view.getUint32(this.advance(4), true);
  }

  private advance(n: number): number {
    if (this.pos + n > this.bytes.length) this.truncated();
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private take(n: number): Uint8Array {
    const at = this.advance(n);
    return this.bytes.subarray(at, at + n);
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }

  private top(): unknown {
    if (this.stack.length === 0 || this.stack.length === this.marks.at(-1)) this.underflow();
    return this.stack[this.stack.length - 1];
  }

  private pop(): unknown {
    const value = this.top();
    this.stack.pop();
    return value;
  }

  private popN(n: number): unknown[] {
    if (this.stack.length - n < (this.marks.at(-1) ?? 0)) this.underflow();
    return this.stack.splice(this.stack.length - n, n);
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail(`pickle uses a MARK that was never set (byte ${this.pos - 1}) — the file is corrupt`);
    return this.stack.splice(mark, this.stack.length - mark);
  }

  private recall(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`pickle refers to memo slot ${index} that was never stored — the file is corrupt`);
    return this.memo.get(index);
  }

  private list(value: unknown): unknown[] {
    if (!Array.isArray(value)) this.fail('APPEND to something that is not a list — the file is corrupt');
    return value;
  }

  private dict(value: unknown): PyDict {
    if (!(value instanceof Map)) this.fail('SETITEM on something that is not a dict — the file is corrupt');
    return value;
  }

  private underflow(): never {
    this.fail(`pickle stack underflow at byte ${this.pos - 1} — the file is corrupt`);
  }
  private truncated(): never {
    this.fail(`pickle data ends at byte ${this.bytes.length} before its STOP opcode — the file is truncated or corrupt`);
  }
  private fail(problem: string): never {
    throw new TorchFileError(this.source, `data.pkl: ${problem}`);
  }
}
