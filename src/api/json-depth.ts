// How deeply a parsed JSON value nests, measured without recursion: V8's
// structuredClone and JSON.stringify overflow the stack on a few thousand
// levels, which JSON.parse happily builds from a small body.

interface Frame {
  v: object;
  depth: number;
  key: string | number | null;
  parent: Frame | null;
}

/**
 * The path (keys and indexes) to the first container nested deeper than
 * `limit` levels in `value`, or undefined when none is. `value` itself, when
 * an object or array, is level 1. Scalars are never pushed, so a body of a
 * million strings costs one pass and no allocation per string.
 */
export function pathDeeperThan(value: unknown, limit: number): (string | number)[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Frame[] = [{ v: value, depth: 1, key: null, parent: null }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.depth > limit) return pathOf(f);
    const push = (key: string | number, child: unknown) => {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: f.depth + 1, key, parent: f });
    };
    // Pushed last to first, so containers are visited in document order (as the byte scan meets them).
    if (Array.isArray(f.v)) for (let i = f.v.length - 1; i >= 0; i--) push(i, f.v[i]);
    else for (const key of Object.keys(f.v).reverse()) push(key, (f.v as Record<string, unknown>)[key]);
  }
  return undefined;
}

function pathOf(f: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Frame | null = f; at && at.key !== null; at = at.parent) path.unshift(at.key);
  return path;
}

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  COLON = 0x3a;
const OPEN_ARRAY = 0x5b,
  OPEN_OBJECT = 0x7b,
  CLOSE_ARRAY = 0x5d,
  CLOSE_OBJECT = 0x7d;
/** Levels whose keys or indexes are kept, to say where the nesting went too deep. */
const NAMED_LEVELS = 3;

/**
 * The same question asked of JSON text before it is parsed: JSON.parse spends
 * about a second on a megabyte of `[`, so a body nested too deeply is refused
 * by one pass over its bytes. Returns the path to the first too-deep container
 * (keys and indexes of its first NAMED_LEVELS levels), or undefined. Bytes
 * that are not JSON are left for JSON.parse to report.
 */
export function rawJsonDeeperThan(bytes: Uint8Array, limit: number): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  const isObject: boolean[] = [];
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      const start = i;
      i = stringEnd(bytes, i);
      if (i < 0) return undefined; // unterminated: JSON.parse reports it
      if (depth >= 1 && depth <= NAMED_LEVELS && isObject[depth - 1] && nextNonSpace(bytes, i + 1) === COLON) path[depth - 1] = decodeKey(bytes, start, i + 1);
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > limit) return path.slice(0, Math.min(depth - 1, NAMED_LEVELS));
      isObject[depth - 1] = b === OPEN_OBJECT;
      if (depth <= NAMED_LEVELS) path[depth - 1] = isObject[depth - 1] ? '' : 0;
      path.length = Math.min(depth, NAMED_LEVELS);
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth = Math.max(0, depth - 1);
      path.length = Math.min(depth, NAMED_LEVELS);
    } else if (b === COMMA && depth >= 1 && depth <= NAMED_LEVELS && !isObject[depth - 1]) {
      path[depth - 1] = (path[depth - 1] as number) + 1;
    }
  }
  return undefined;
}

/** Index of the quote closing the string opened at `open`, or -1. A backslash escapes the next byte. */
function stringEnd(bytes: Uint8Array, open: number): number {
  let j = open + 1;
  for (const stop = Math.min(bytes.length, j + 32); j < stop; j++) {
    if (bytes[j] === QUOTE) return j;
    if (bytes[j] === BACKSLASH) j++;
  }
  // A long string (a text to embed): native searches, bounded to the string, instead of a byte loop.
  for (;;) {
    const q = j < bytes.length ? bytes.indexOf(QUOTE, j) : -1;
    if (q < 0) return -1;
    const bs = bytes.subarray(j, q).indexOf(BACKSLASH);
    if (bs < 0) return q;
    j += bs + 2;
  }
}

function nextNonSpace(bytes: Uint8Array, from: number): number | undefined {
  for (let i = from; i < bytes.length; i++) if (bytes[i] > 0x20) return bytes[i];
  return undefined;
}

function decodeKey(bytes: Uint8Array, start: number, end: number): string {
  try {
    return JSON.parse(Buffer.from(bytes.subarray(start, end)).toString('utf8')) as string;
  } catch {
    return '';
  }
}
