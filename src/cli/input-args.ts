// Turns `-i key=value` arguments into a prediction input the way `cog predict`
// does: split at the first "=", outer quotes stripped, a repeated key becomes
// an array; then the same schema-driven coercion the HTTP server applies.
import { coerceCogInput } from '../api/input.ts';

export function parseInputArgs(pairs: string[]): Record<string, unknown> {
  const raw: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-i expects key=value, got "${pair}" (for example -i texts='["hello"]')`);
    const key = pair.slice(0, eq);
    const value = stripQuotes(pair.slice(eq + 1));
    const prev = raw[key];
    raw[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return coerceCogInput(raw);
}

function stripQuotes(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}
