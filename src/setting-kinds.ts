// The kinds of value an environment variable can hold, and the one parser that
// reads a variable as its kind. Unset, empty or blank means the default;
// anything else must be well-formed, or the read fails naming the variable,
// what it got and how to fix it. The settings themselves are in settings.ts.
// No imports: the Docker image's weights stage copies this file alone.

interface Described {
  /** One sentence for the README: what the setting does (markdown). */
  meaning: string;
  /** How the README and error messages spell the default when it is not one plain value, or there is none. */
  defaultText?: string;
  /** Why the variable is no user setting (a test hook, set by a tool); such variables stay out of the README. */
  internal?: string;
}

export interface IntegerSpec extends Described {
  type: 'integer';
  min: number;
  max?: number;
  default?: number;
}
export interface NumberSpec extends Described {
  type: 'number';
  min: number;
  max?: number;
  unit: string;
  default?: number;
}
export interface FlagSpec extends Described {
  type: 'flag';
  default: boolean;
}
export interface EnumSpec extends Described {
  type: 'enum';
  values: readonly string[];
  /** Other spellings accepted for a value (matched, like the values, ignoring case). */
  aliases?: Readonly<Record<string, string>>;
  default: string;
}
export interface TextSpec extends Described {
  type: 'string' | 'path' | 'secret';
  default?: string;
  /** Set (to "") means off, read as null, instead of the default. */
  emptyIsOff?: boolean;
}
export interface UrlSpec extends Described {
  type: 'url';
  default: string;
}
export interface ListSpec extends Described {
  type: 'list';
  item: 'key' | 'origin';
}

export type SettingSpec = IntegerSpec | NumberSpec | FlagSpec | EnumSpec | TextSpec | UrlSpec | ListSpec;

/** The type a spec reads as: its default's type, widened with undefined when it has none. */
export type SettingValue<S> = S extends { type: 'integer' | 'number'; default: number }
  ? number
  : S extends { type: 'integer' | 'number' }
    ? number | undefined
    : S extends { type: 'flag' }
      ? boolean
      : S extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : S extends { type: 'list' }
          ? string[]
          : S extends { emptyIsOff: true }
            ? string | null | undefined
            : S extends { default: string }
              ? string
              : string | undefined;

export type Env = Readonly<Record<string, string | undefined>>;

/** Typed reads of `table`'s variables from an environment (default: this process's). */
export function settingReader<T extends Record<string, SettingSpec>>(table: T) {
  return <N extends keyof T & string>(name: N, env: Env = process.env): SettingValue<T[N]> => parseSetting(name, table[name], env[name]) as SettingValue<T[N]>;
}

/** A malformed setting; the message says which variable, what it held and the fix. */
export class SettingError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

/** Reads `raw` (the variable `name`'s text, or undefined when unset) as `spec` says. */
export function parseSetting(name: string, spec: SettingSpec, raw: string | undefined): unknown {
  const text = raw?.trim() ?? '';
  if (text === '') return raw !== undefined && spec.type !== 'list' && 'emptyIsOff' in spec && spec.emptyIsOff ? null : emptyValue(spec);
  switch (spec.type) {
    case 'integer':
    case 'number':
      return parseNumber(name, spec, text);
    case 'flag':
      return parseFlag(name, spec, text);
    case 'enum':
      return parseEnum(name, spec, text);
    case 'url':
      return parseUrl(name, spec, text);
    case 'list':
      return parseList(name, spec, text);
    default:
      return text;
  }
}

function emptyValue(spec: SettingSpec): unknown {
  return spec.type === 'list' ? [] : spec.default;
}

/** What a well-formed value looks like, as error messages say it. */
export function expectedText(spec: SettingSpec): string {
  switch (spec.type) {
    case 'integer':
    case 'number':
      return rangeText(spec);
    case 'flag':
      return '1 or 0 (true or false)';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'url':
      return `an http or https URL such as ${spec.default}`;
    case 'list':
      return spec.item === 'key' ? 'comma-separated keys' : 'comma-separated origins (scheme://host[:port]) or *';
    default:
      return 'text';
  }
}

function rangeText(spec: IntegerSpec | NumberSpec): string {
  const noun = spec.type === 'integer' ? 'a whole number' : 'a number';
  if (spec.max !== undefined) return `${noun} from ${spec.min} to ${spec.max}`;
  return spec.type === 'integer' && spec.min === 1 ? 'a positive integer' : `${noun} of ${spec.min} or more`;
}

/** The default as messages and the README spell it. */
export function defaultText(spec: SettingSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.type === 'list' || spec.default === undefined) return 'none';
  if (spec.type === 'flag') return spec.default ? '1' : '0';
  return String(spec.default);
}

function fail(name: string, spec: SettingSpec, text: string, set: string): never {
  const dflt = defaultText(spec).replace(/`/g, ''); // the README's markdown, plain in a terminal
  throw new SettingError(name, `${name} must be ${expectedText(spec)}, got ${JSON.stringify(text)}. Unset it for the default (${dflt}) or set ${set}.`);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(name: string, spec: IntegerSpec | NumberSpec, text: string): number {
  const n = Number(text);
  const wellFormed = spec.type === 'integer' ? INTEGER.test(text) && Number.isSafeInteger(n) : DECIMAL.test(text) && Number.isFinite(n);
  if (!wellFormed || n < spec.min || (spec.max !== undefined && n > spec.max)) fail(name, spec, text, spec.type === 'integer' ? 'a whole number' : 'a number');
  return n;
}

const FLAGS: Readonly<Record<string, boolean>> = { 1: true, true: true, 0: false, false: false };

function parseFlag(name: string, spec: FlagSpec, text: string): boolean {
  const flag = FLAGS[text.toLowerCase()];
  if (flag === undefined) fail(name, spec, text, '1 or 0');
  return flag;
}

function parseEnum(name: string, spec: EnumSpec, text: string): string {
  const lower = text.toLowerCase();
  const value = spec.values.find((v) => v.toLowerCase() === lower) ?? spec.aliases?.[lower];
  if (value === undefined) fail(name, spec, text, 'one of them');
  return value;
}

function parseUrl(name: string, spec: UrlSpec, text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    /* reported below */
  }
  if (!url || !/^https?:$/.test(url.protocol)) fail(name, spec, text, 'such a URL');
  return text;
}

function parseList(name: string, spec: ListSpec, text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!items.length) throw new SettingError(name, `${name} is set but holds no ${spec.item}: give ${expectedText(spec)}, or unset it.`);
  return spec.item === 'origin' ? items.map((o) => origin(name, o)) : items;
}

/** An origin as browsers send it (`scheme://host[:port]`, normalized), or `*` / `null` as given. */
function origin(name: string, text: string): string {
  if (text === '*' || text === 'null') return text;
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    /* reported below */
  }
  if (!u || !/^https?:$/.test(u.protocol) || u.pathname !== '/' || u.search || u.hash || u.username) {
    throw new SettingError(
      name,
      `${name} holds ${JSON.stringify(text)}, which is not an origin: expected scheme://host[:port] such as https://app.example.com, or *. Fix it, or unset it to allow no other origins.`,
    );
  }
  return u.origin;
}
