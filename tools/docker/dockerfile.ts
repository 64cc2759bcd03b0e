// A reader for the Dockerfile syntax this project uses, for the packaging
// tests and the label sync: instructions with line continuations, comments,
// flags (--from=, --chown=, --mount=), exec (JSON) and shell forms, and
// LABEL key=value pairs with Docker's quoting.

export interface Instruction {
  /** 1-based line of the instruction's first line. */
  line: number;
  keyword: string;
  flags: Record<string, string>;
  /** Text after the keyword and its flags. */
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*(#|$)/.test(lines[i])) continue;
    const start = i;
    let joined = lines[i];
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, '');
      i++;
      if (/^\s*#/.test(lines[i])) continue; // comment lines inside a continuation are dropped
      joined += ' ' + lines[i].trim();
    }
    out.push(splitInstruction(joined.trim(), start + 1));
  }
  return out;
}

function splitInstruction(text: string, line: number): Instruction {
  const m = text.match(/^(\S+)\s*(.*)$/s)!;
  const keyword = m[1].toUpperCase();
  let rest = m[2];
  const flags: Record<string, string> = {};
  const flag = /^--([a-z-]+)(?:=(\S*))?\s+/;
  for (let f = rest.match(flag); f; f = rest.match(flag)) {
    flags[f[1]] = flags[f[1]] === undefined ? (f[2] ?? 'true') : `${flags[f[1]]} ${f[2] ?? 'true'}`;
    rest = rest.slice(f[0].length);
  }
  return { line, keyword, flags, args: rest };
}

export interface Stage {
  name?: string;
  image: string;
  /** The instructions after its FROM, up to the next FROM. */
  body: Instruction[];
}

/** The build stages, in order; instructions before the first FROM (global ARGs) belong to none. */
export function dockerStages(all: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') {
      const m = ins.args.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      out.push({ image: m[1], name: m[2], body: [] });
    } else if (out.length > 0) out[out.length - 1].body.push(ins);
  }
  return out;
}

/** Exec form `["a", "b"]` as an array; shell form as undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const v = JSON.parse(args) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return v;
}

/** COPY/ADD sources and destination, from either form. */
export function copyPaths(args: string): { sources: string[]; dest: string } {
  const parts = execForm(args) ?? args.split(/\s+/).filter(Boolean);
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

/** LABEL key=value pairs; values may be "double-quoted" (with \ escapes) or 'single-quoted' (literal). */
export function labelPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < args.length) {
    while (/\s/.test(args[i] ?? '')) i++;
    if (i >= args.length) break;
    const eq = args.indexOf('=', i);
    if (eq < 0) throw new Error(`LABEL without "=": ${args.slice(i, i + 40)}`);
    const key = args.slice(i, eq);
    const [value, next] = readWord(args, eq + 1);
    out[key] = value;
    i = next;
  }
  return out;
}

function readWord(s: string, i: number): [string, number] {
  let value = '';
  while (i < s.length && !/\s/.test(s[i])) {
    if (s[i] === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote in LABEL');
      value += s.slice(i + 1, end);
      i = end + 1;
    } else if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === '$')) i++;
        value += s[i++];
      }
      if (s[i] !== '"') throw new Error('unterminated double quote in LABEL');
      i++;
    } else {
      if (s[i] === '\\') i++;
      value += s[i++];
    }
  }
  return [value, i];
}
