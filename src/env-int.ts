// Integer settings from the environment (BGE_M3_*): unset or empty means the
// default; anything else must be a whole number, or startup fails saying so.

export function envInt(name: string, min = 1, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be ${min === 1 ? 'a positive integer' : `a whole number >= ${min}`}, got "${v}"`);
  return n;
}
