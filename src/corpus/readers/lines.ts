// Lines of a file, streamed: at most one read chunk plus one line in memory.
import { createReadStream } from 'node:fs';

export interface Line {
  /** 1-based, as editors count. */
  number: number;
  /** Without its line ending. */
  buffer: Buffer;
  /** Bytes of the file up to the end of this line, its line ending included. */
  end: number;
}

/** `onBytes` hears the bytes read so far. Splitting bytes on \n is safe in UTF-8. */
export async function* readLines(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<Line> {
  let carry: Buffer[] = [];
  let number = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    onBytes?.(bytes);
    let start = 0;
    const chunkStart = bytes - chunk.length;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      carry.push(chunk.subarray(start, nl));
      yield { number: ++number, buffer: stripCr(Buffer.concat(carry)), end: chunkStart + nl + 1 };
      carry = [];
      start = nl + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length) yield { number: ++number, buffer: stripCr(Buffer.concat(carry)), end: bytes };
}

function stripCr(b: Buffer): Buffer {
  return b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

export function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 32 && c !== 9) return false;
  return true;
}
