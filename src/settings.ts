// Settings from the environment (BGE_M3_*): unset or empty means the default;
// anything else must be well-formed, or startup fails saying so.

export function envInt(name: string, min = 1, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be ${min === 1 ? 'a positive integer' : `a whole number >= ${min}`}, got "${v}"`);
  return n;
}

const FLAGS: Record<string, boolean> = { 1: true, true: true, 0: false, false: false };

export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const flag = FLAGS[v.toLowerCase()];
  if (flag === undefined) throw new Error(`${name} must be 1 or 0 (true or false), got "${v}"`);
  return flag;
}
