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
    if (Array.isArray(f.v)) for (let i = 0; i < f.v.length; i++) push(i, f.v[i]);
    else for (const key of Object.keys(f.v)) push(key, (f.v as Record<string, unknown>)[key]);
  }
  return undefined;
}

function pathOf(f: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Frame | null = f; at && at.key !== null; at = at.parent) path.unshift(at.key);
  return path;
}
