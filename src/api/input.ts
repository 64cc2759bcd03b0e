// Validation and coercion of prediction inputs against schema.json. The
// Predictor, the HTTP server (422s) and the CLI (-i key=value) all use this.
import { Ajv, type ErrorObject } from 'ajv';
import { pathDeeperThan } from './json-depth.ts';
import { inputNames, inputSchema, type PropertySchema } from './schema.ts';
import type { Input } from './schema-types.ts';
import { requestSizeIssues } from './request-size.ts';
import { InputValidationError, type InputIssue } from './errors.ts';
import { chunkIssues } from './chunking/input-rules.ts';
import { contextIssues } from './chunking/context-rules.ts';

/** No input nests deeper than an array of arrays; this leaves room and keeps structuredClone far from the stack limit. */
export const MAX_INPUT_DEPTH = 16;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const check = ajv.compile(inputSchema);

/** Returns a copy of `raw` with defaults applied, or throws InputValidationError. */
export function validateInput(raw: unknown): Input {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputValidationError([
      { field: null, loc: [], type: 'type_error', message: `input must be a JSON object with the keys ${inputNames.join(', ')}; got ${describe(raw)}` },
    ]);
  }
  const { shallow, issues: depthIssues } = withoutDeepValues(raw as Record<string, unknown>);
  const value = structuredClone(shallow);
  const tooDeep = new Set(depthIssues.map((i) => i.field));
  const issues = check(value) ? [] : (check.errors ?? []).map((e) => toIssue(e, value)).filter((i) => !tooDeep.has(i.field));
  issues.push(...depthIssues, ...semanticIssues(value), ...requestSizeIssues(value));
  if (issues.length) throw new InputValidationError(dedupe(withoutTypeUnderEnum(issues)));
  return value as unknown as Input;
}

/**
 * A copy of the input's own keys (`__proto__` included, as JSON.parse makes
 * it) in which a value nested too deeply is replaced by null: an unknown key
 * is then still reported as unknown, a known one gets its own issue.
 */
function withoutDeepValues(raw: Record<string, unknown>): { shallow: Record<string, unknown>; issues: InputIssue[] } {
  const shallow: Record<string, unknown> = {};
  const issues: InputIssue[] = [];
  for (const key of Object.keys(raw)) {
    let v = raw[key];
    if (pathDeeperThan(v, MAX_INPUT_DEPTH - 1)) {
      v = null;
      if (inputNames.includes(key))
        issues.push({
          field: key,
          loc: [key],
          type: 'value_error',
          message: `${key} nests deeper than ${MAX_INPUT_DEPTH} levels, the limit for an input value`,
        });
    }
    defineOwn(shallow, key, v);
  }
  return { shallow, issues };
}

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype instead). */
function defineOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function semanticIssues(value: Record<string, unknown>): InputIssue[] {
  return [...minWeightIssues(value), ...scoreWeightIssues(value), ...chunkIssues(value), ...contextIssues(value)];
}

/** JSON's 1e309 parses to Infinity, which `minimum: 0` lets through. */
function minWeightIssues(value: Record<string, unknown>): InputIssue[] {
  const m = value.sparse_min_weight;
  if (typeof m === 'number' && !Number.isFinite(m)) {
    return [
      {
        field: 'sparse_min_weight',
        loc: ['sparse_min_weight'],
        type: 'value_error',
        message: `sparse_min_weight must be a finite number at least 0 (got ${m}): a number like 1e309 is too large for a 64-bit float; leave it out to keep every weight`,
      },
    ];
  }
  return [];
}

function scoreWeightIssues(value: Record<string, unknown>): InputIssue[] {
  const w = value.score_weights;
  if (Array.isArray(w) && w.some((x) => typeof x === 'number' && !Number.isFinite(x))) {
    return [
      {
        field: 'score_weights',
        loc: ['score_weights'],
        type: 'value_error',
        message: `score_weights must be finite numbers (got ${w.map(String).join(', ')}): a number like 1e309 is too large for a 64-bit float`,
      },
    ];
  }
  if (Array.isArray(w) && w.length === 3 && w.every((x) => typeof x === 'number' && x >= 0) && w[0] + w[1] + w[2] <= 0) {
    return [
      {
        field: 'score_weights',
        loc: ['score_weights'],
        type: 'value_error',
        message: 'score_weights must not all be 0: the hybrid score divides by their sum',
      },
    ];
  }
  return [];
}

function toIssue(e: ErrorObject, value: Record<string, unknown>): InputIssue {
  const loc = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: key, loc: [key], type: 'value_error.extra', message: `unknown input "${key}"; valid inputs are: ${inputNames.join(', ')}` };
  }
  if (e.keyword === 'required') {
    const key = (e.params as { missingProperty: string }).missingProperty;
    return { field: key, loc: [key], type: 'value_error.missing', message: `${key} is required: ${inputSchema.properties[key]?.description ?? ''}`.trim() };
  }
  const field = typeof loc[0] === 'string' ? loc[0] : null;
  const where = loc.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') || 'input';
  const got = describe(at(value, loc));
  return { field, loc, type: issueType(e.keyword), message: `${where} ${explain(e)} (got ${got})` };
}

function explain(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `must be ${article(String(p.type))}`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minItems':
      return `must hold at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must hold at most ${p.limit} items`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return e.message ?? 'is invalid';
  }
}

function issueType(keyword: string): string {
  if (keyword === 'type') return 'type_error';
  if (keyword === 'enum') return 'type_error.enum';
  if (['minimum', 'maximum', 'minItems', 'maxItems'].includes(keyword)) return 'value_error.number.limit';
  return 'value_error';
}

function article(type: string): string {
  const names: Record<string, string> = {
    integer: 'an integer',
    array: 'an array',
    object: 'an object',
    boolean: 'a boolean (true or false)',
    number: 'a number',
    string: 'a string',
  };
  return names[type] ?? type;
}

function at(value: unknown, loc: (string | number)[]): unknown {
  return loc.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** A wrong-typed enum value gets one message, the enum's: it names every valid value. */
function withoutTypeUnderEnum(issues: InputIssue[]): InputIssue[] {
  const enums = new Set(issues.filter((i) => i.type === 'type_error.enum').map((i) => i.loc.join('/')));
  return issues.filter((i) => !(i.type === 'type_error' && enums.has(i.loc.join('/'))));
}

function dedupe(issues: InputIssue[]): InputIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.message) && seen.add(i.message));
}

const TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);

/**
 * Coerces string values by the schema's type, the way Cog's server accepts
 * what `cog predict -i key=value` sends: "true" -> true, "512" -> 512,
 * '["a","b"]' -> ["a","b"], a lone string for an array -> [string].
 * Values that do not parse are left alone for validation to report.
 */
export function coerceCogInput(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    const schema = Object.hasOwn(inputSchema.properties, key) ? inputSchema.properties[key] : undefined;
    defineOwn(out, key, schema ? coerceValue(v, schema) : v);
  }
  return out;
}

function coerceValue(v: unknown, s: PropertySchema): unknown {
  if (s.type === 'array' && Array.isArray(v)) return s.items ? v.map((x) => coerceValue(x, s.items!)) : v;
  if (typeof v !== 'string') return v;
  const t = v.trim();
  switch (s.type) {
    case 'integer':
      return /^[+-]?\d+$/.test(t) ? Number(t) : v;
    case 'number':
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : v;
    case 'boolean':
      return TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : v;
    case 'array':
      return coerceValue(parseArray(v), s);
    default:
      return v;
  }
}

function parseArray(v: string): unknown[] {
  if (v.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* not JSON: a single item */
    }
  }
  return [v];
}
