// The module specifiers a .ts/.mjs/.js file imports, read from its text
// without a parser: static `import … from` / `export … from` / `import '…'`,
// dynamic `import('…')`, and `new URL('…', import.meta.url)` naming a module
// file (a worker's entry point). Comments, regular expressions and the
// insides of strings and templates are blanked first, so code quoted in a
// string (a snippet the playground shows) or in prose is not taken for an
// import. Specifiers built at run time (a template, a variable) are not seen.

export interface ImportSpecifier {
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
}

type Span = (from: number, to: number, kind: 'comment' | 'string' | 'other') => void;

const QUOTED = String.raw`(['"])_*\1`;
const PATTERNS = [
  new RegExp(String.raw`(?<![\w$.])(?:from|import)\s*${QUOTED}`, 'g'),
  new RegExp(String.raw`(?<![\w$.])import\s*\(\s*${QUOTED}\s*[,)]`, 'g'),
  new RegExp(String.raw`(?<![\w$.])new\s+URL\s*\(\s*${QUOTED}\s*,\s*import\.meta\.url\s*\)`, 'g'),
];
const MODULE_FILE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

export function importSpecifiers(text: string): ImportSpecifier[] {
  const masked = mask(text);
  const found: ImportSpecifier[] = [];
  PATTERNS.forEach((pattern, which) => {
    for (const m of masked.matchAll(pattern)) {
      const open = m.index + m[0].indexOf(m[1]);
      const close = masked.indexOf(m[1], open + 1);
      const specifier = text.slice(open + 1, close);
      if (which === 2 && !MODULE_FILE.test(specifier)) continue; // a data file or folder, not code
      found.push({ specifier, line: lineAt(text, open) });
    }
  });
  return found.sort((a, b) => a.line - b.line);
}

/** The text with comments, regexes and template literals blanked, and string contents turned to `_`. */
function mask(text: string): string {
  const out = text.split('');
  scanCode(text, 0, false, (from, to, kind) => {
    for (let k = from; k < to; k++) {
      if (out[k] === '\n') continue;
      if (kind !== 'string' || (k > from && k < to - 1)) out[k] = kind === 'string' ? '_' : ' ';
    }
  });
  return out.join('');
}

/** Tokens after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set([
  ...'(,=:[!&|?{};+-*%<>~^}',
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'instanceof',
]);
const OPERAND = ')';

/** Walks code from `i`, reporting comment, string, template and regex spans; inside a template's `${`, stops after its `}`. */
function scanCode(text: string, i: number, inSubstitution: boolean, span: Span): number {
  let depth = 0;
  let prev = '';
  const skip = (end: number, kind: 'comment' | 'string' | 'other'): number => {
    span(i, end, kind);
    if (kind !== 'comment') prev = OPERAND;
    return end;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') i = skip(lineEnd(text, i), 'comment');
    else if (c === '/' && next === '*') i = skip(blockEnd(text, i), 'comment');
    else if (c === "'" || c === '"') i = skip(stringEnd(text, i), 'string');
    else if (c === '`') i = skip(templateEnd(text, i), 'other');
    else if (c === '/' && (prev === '' || BEFORE_REGEX.has(prev))) i = skip(regexEnd(text, i), 'other');
    else if (/[\w$]/.test(c)) {
      let end = i + 1;
      while (end < text.length && /[\w$]/.test(text[end])) end++;
      prev = text.slice(i, end);
      i = end;
    } else if (/\s/.test(c)) i++;
    else if (inSubstitution && c === '}' && depth === 0) return i + 1;
    else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      prev = c;
      i++;
    }
  }
  return i;
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

function blockEnd(text: string, i: number): number {
  const close = text.indexOf('*/', i + 2);
  return close < 0 ? text.length : close + 2;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === text[i]) return j + 1;
    else if (text[j] === '\n') return j;
  }
  return text.length;
}

function templateEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '`') return j + 1;
    else if (text[j] === '$' && text[j + 1] === '{') j = scanCode(text, j + 2, true, () => {}) - 1;
  }
  return text.length;
}

function regexEnd(text: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '\n') return j;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '/') {
      let end = j + 1;
      while (end < text.length && /[a-z]/i.test(text[end])) end++;
      return end;
    }
  }
  return text.length;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) line++;
  return line;
}
