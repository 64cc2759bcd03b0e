// A parser for the small YAML subset cog.yaml uses, so the label sync needs no
// YAML package: block mappings and block sequences by indentation, sequences
// of scalars or of mappings (`- key: value`), `[]`/`{}` as empty collections,
// comments, and plain, single- or double-quoted scalars (numbers, booleans and
// null are typed as YAML 1.2 does; forms that YAML 1.1 reads differently, like
// `yes` or `1e3`, are refused). Anything else (anchors, flow collections
// with content, multi-line scalars, tags) is rejected with its line number.

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

interface Line {
  no: number;
  indent: number;
  text: string;
}

export function parseYamlSubset(source: string): Value {
  const lines = toLines(source);
  if (lines.length === 0) return null;
  const [value, next] = parseBlock(lines, 0, lines[0].indent);
  if (next < lines.length) fail(lines[next], 'unexpected indentation');
  return value;
}

function toLines(source: string): Line[] {
  const out: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    if (/\t/.test(raw.match(/^\s*/)![0])) fail({ no: i + 1, indent: 0, text: raw }, 'tabs are not allowed for indentation');
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || text.trim() === '---') return;
    out.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  return out;
}

function parseBlock(lines: Line[], i: number, indent: number): [Value, number] {
  return lines[i].text.startsWith('- ') || lines[i].text === '-' ? parseSequence(lines, i, indent) : parseMapping(lines, i, indent);
}

function parseMapping(lines: Line[], i: number, indent: number): [Value, number] {
  const obj: { [k: string]: Value } = {};
  while (i < lines.length && lines[i].indent === indent) {
    const line = lines[i];
    const m = line.text.match(/^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#][^:]*?)\s*:(?:\s+(.*))?$/);
    if (!m) fail(line, 'expected `key: value`');
    const key = keyText(m[1], line);
    if (key in obj) fail(line, `duplicate key "${key}"`);
    [obj[key], i] = m[2] !== undefined && m[2] !== '' ? [scalar(m[2], line), i + 1] : nested(lines, i + 1, indent, line);
  }
  return [obj, i];
}

function parseSequence(lines: Line[], i: number, indent: number): [Value, number] {
  const arr: Value[] = [];
  while (i < lines.length && lines[i].indent === indent && (lines[i].text.startsWith('- ') || lines[i].text === '-')) {
    const line = lines[i];
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      const [v, next] = nested(lines, i + 1, indent, line);
      arr.push(v);
      i = next;
    } else if (/^[^'"\s][^:]*:(\s|$)|^"[^"]*"\s*:|^'[^']*'\s*:/.test(rest)) {
      // "- key: value" opens a mapping whose keys sit at the column after "- ".
      const itemIndent = indent + (line.text.length - rest.length);
      const sub: Line[] = [{ ...line, indent: itemIndent, text: rest }];
      let j = i + 1;
      while (j < lines.length && lines[j].indent >= itemIndent) sub.push(lines[j++]);
      const [v, used] = parseMapping(sub, 0, itemIndent);
      if (used < sub.length) fail(sub[used], 'unexpected indentation');
      arr.push(v);
      i = j;
    } else {
      arr.push(scalar(rest, line));
      i++;
    }
  }
  return [arr, i];
}

/** The value under a `key:` or `-` with nothing after it: a deeper block, or a sequence at the same indent. */
function nested(lines: Line[], i: number, indent: number, owner: Line): [Value, number] {
  const next = lines[i];
  if (next && next.indent > indent) return parseBlock(lines, i, next.indent);
  if (next && next.indent === indent && next.text.startsWith('- ') && !owner.text.startsWith('-')) return parseSequence(lines, i, indent);
  return [null, i];
}

function scalar(token: string, line: Line): Value {
  const t = token.trim();
  if (t.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(t)) fail(line, 'unterminated double-quoted string');
    return JSON.parse(t) as string;
  }
  if (t.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(t)) fail(line, 'unterminated single-quoted string');
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t === '[]') return [];
  if (t === '{}') return {};
  if (/^[[{&*!|>%@`]/.test(t)) fail(line, `unsupported YAML syntax "${t[0]}" (this parser reads only a simple subset)`);
  if (/^(y|n|yes|no|on|off)$/i.test(t) || /^[-+]?(\d+\.?\d*|\.\d+)[eE]\d/.test(t)) {
    fail(line, `"${t}" means different things in YAML 1.1 and 1.2; quote it`);
  }
  if (/^(null|Null|NULL|~)$/.test(t)) return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}

/** Keys stay strings (no number/boolean typing); quoted keys are unquoted. */
function keyText(token: string, line: Line): string {
  const t = token.trim();
  return t.startsWith('"') || t.startsWith("'") ? String(scalar(t, line)) : t;
}

function stripComment(raw: string): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === "'" && quote === "'" && raw[i + 1] === "'")
        i++; // '' is an escaped quote
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:\-[{,]/.test(raw[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]))) {
      return raw.slice(0, i);
    }
  }
  return raw;
}

function fail(line: Line, why: string): never {
  throw new Error(`cog.yaml line ${line.no}: ${why}: ${line.text.trim()}`);
}
