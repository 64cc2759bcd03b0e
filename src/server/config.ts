// Server settings: defaults, and how they are read from the environment
// (Cog's own variable names where Cog has one, BGE_M3_* otherwise).
import { keyProblem, parseKeyList } from './auth/keys.ts';
import { parseAllowedHosts, type HostPattern } from './http/allowed-hosts.ts';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.ts';
import type { LogLevel } from './log.ts';

export interface ServerConfig {
  /**
   * Predictions that may run at once (Cog's slots). The Predictor merges the
   * texts of concurrent predictions into shared, token-budgeted batches, so
   * many small predictions in flight keep the CPU busy with a few large
   * forward passes; memory is bounded by the batcher's token budget, not by
   * this number. Hence a default well above Cog's 1.
   */
  maxConcurrency: number;
  /** Minimum gap between non-terminal webhooks of one prediction (COG_THROTTLE_RESPONSE_INTERVAL). */
  throttleIntervalMs: number;
  maxBodyBytes: number;
  webhookAuthToken: string | null;
  /** First retry delay of a terminal webhook; doubles per retry (up to 2^10 times). */
  webhookRetryBaseMs: number;
  webhookMaxRetries: number;
  webhookTimeoutMs: number;
  /** On shutdown, running predictions get this long to finish before they are canceled. */
  shutdownGraceMs: number;
  /** On shutdown, how long to wait for terminal webhooks still being delivered. */
  shutdownWebhookWaitMs: number;
  /** Finished /v1 predictions are kept for this long, this many, this many bytes of output. */
  v1RetentionMs: number;
  v1RetentionCount: number;
  v1RetentionBytes: number;
  /** /v1 predictions that may wait for a free slot (status `starting`) before creates get 429. */
  v1QueueMax: number;
  v1PageSize: number;
  logLevel: LogLevel;
  /** API_KEYS: bearer keys accepted on every route that does work; with API_KEYS_FILE, none means auth is off. */
  apiKeys: string[];
  /** API_KEYS_FILE: more keys, one per line, re-read on SIGHUP and when the file changes. */
  apiKeysFile: string | null;
  /** METRICS_API_KEY: when set, /metrics needs it as a bearer token. */
  metricsApiKey: string | null;
  /**
   * Cog's Kubernetes readiness file, present while the server can predict
   * (BGE_M3_READY_FILE; "" turns it off). Default as Cog: /var/run/cog/ready
   * when KUBERNETES_SERVICE_HOST is set, else none.
   */
  readyFile: string | null;
  /** Other origins whose web pages may call this server (CORS_ALLOW_ORIGINS, comma-separated; `*` for any). */
  corsAllowOrigins: string[];
  /** Host names the server answers to besides localhost, loopback and its listening addresses (ALLOWED_HOSTS). */
  allowedHosts: HostPattern[];
  /** Proxies trusted to name the client in X-Forwarded-For (TRUST_PROXY, as Express's "trust proxy"); false: none. */
  trustProxy: TrustProxy;
}

export const DEFAULT_MAX_CONCURRENCY = 32;

export const DEFAULT_CONFIG: Readonly<ServerConfig> = {
  maxConcurrency: DEFAULT_MAX_CONCURRENCY,
  throttleIntervalMs: 500,
  maxBodyBytes: 16 * 1024 * 1024,
  webhookAuthToken: null,
  webhookRetryBaseMs: 100,
  webhookMaxRetries: 12,
  webhookTimeoutMs: 30_000,
  shutdownGraceMs: 20_000,
  shutdownWebhookWaitMs: 10_000,
  v1RetentionMs: 3600_000,
  v1RetentionCount: 1000,
  v1RetentionBytes: 256 * 1024 * 1024,
  v1QueueMax: 1000,
  v1PageSize: 100,
  logLevel: 'info',
  apiKeys: [],
  apiKeysFile: null,
  metricsApiKey: null,
  readyFile: null,
  corsAllowOrigins: [],
  allowedHosts: [],
  trustProxy: false,
};

export const COG_READY_FILE = '/var/run/cog/ready';

type Env = Record<string, string | undefined>;

/**
 * Reads settings from the environment. `cogYaml` is the text of cog.yaml, whose
 * `concurrency.max` applies when COG_MAX_CONCURRENCY is unset. Throws an Error
 * naming the variable when a value does not parse.
 */
export function readServerConfig(env: Env = process.env, cogYaml?: string): ServerConfig {
  const c = { ...DEFAULT_CONFIG };
  const yamlMax = cogYaml ? cogYamlConcurrencyMax(cogYaml) : undefined;
  c.maxConcurrency = intVar(env, 'COG_MAX_CONCURRENCY', 1) ?? yamlMax ?? c.maxConcurrency;
  c.throttleIntervalMs = secondsVar(env, 'COG_THROTTLE_RESPONSE_INTERVAL') ?? c.throttleIntervalMs;
  const mb = numberVar(env, 'BGE_M3_MAX_BODY_MB', 0.001);
  if (mb !== undefined) c.maxBodyBytes = Math.round(mb * 1024 * 1024);
  c.webhookAuthToken = env.WEBHOOK_AUTH_TOKEN || null;
  c.webhookRetryBaseMs = intVar(env, 'BGE_M3_WEBHOOK_RETRY_BASE_MS', 0) ?? c.webhookRetryBaseMs;
  c.webhookMaxRetries = intVar(env, 'BGE_M3_WEBHOOK_MAX_RETRIES', 0) ?? c.webhookMaxRetries;
  c.webhookTimeoutMs = secondsVar(env, 'BGE_M3_WEBHOOK_TIMEOUT_SECONDS') ?? c.webhookTimeoutMs;
  c.shutdownGraceMs = secondsVar(env, 'BGE_M3_SHUTDOWN_GRACE_SECONDS') ?? c.shutdownGraceMs;
  c.shutdownWebhookWaitMs = secondsVar(env, 'BGE_M3_SHUTDOWN_WEBHOOK_WAIT_SECONDS') ?? c.shutdownWebhookWaitMs;
  c.v1RetentionMs = secondsVar(env, 'BGE_M3_V1_RETENTION_SECONDS') ?? c.v1RetentionMs;
  c.v1RetentionCount = intVar(env, 'BGE_M3_V1_RETENTION_COUNT', 0) ?? c.v1RetentionCount;
  const retMb = numberVar(env, 'BGE_M3_V1_RETENTION_MB', 0);
  if (retMb !== undefined) c.v1RetentionBytes = Math.round(retMb * 1024 * 1024);
  c.v1QueueMax = intVar(env, 'BGE_M3_V1_QUEUE_MAX', 0) ?? c.v1QueueMax;
  c.logLevel = logLevelVar(env) ?? c.logLevel;
  c.apiKeys = apiKeysVar(env);
  c.apiKeysFile = env.API_KEYS_FILE?.trim() || null;
  c.metricsApiKey = env.METRICS_API_KEY ? checkedKeys('METRICS_API_KEY', [env.METRICS_API_KEY.trim()])[0] : null;
  c.readyFile = readyFileVar(env);
  c.corsAllowOrigins = originsVar(env, 'CORS_ALLOW_ORIGINS') ?? c.corsAllowOrigins;
  if (env.ALLOWED_HOSTS?.trim()) c.allowedHosts = parseAllowedHosts(env.ALLOWED_HOSTS);
  if (env.TRUST_PROXY?.trim()) c.trustProxy = parseTrustProxy(env.TRUST_PROXY);
  return c;
}

function numberVar(env: Env, name: string, min: number, integer = false): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'a whole number' : 'a number';
    throw new Error(`${name}=${JSON.stringify(env[name])} is not valid: expected ${kind} >= ${min}. Fix or unset it.`);
  }
  return n;
}

function intVar(env: Env, name: string, min: number): number | undefined {
  return numberVar(env, name, min, true);
}

function secondsVar(env: Env, name: string): number | undefined {
  const s = numberVar(env, name, 0);
  return s === undefined ? undefined : Math.round(s * 1000);
}

function apiKeysVar(env: Env): string[] {
  const raw = env.API_KEYS;
  if (raw === undefined || raw.trim() === '') return [];
  const keys = parseKeyList(raw);
  if (!keys.length) throw new Error('API_KEYS is set but holds no key: give comma-separated keys, or unset it.');
  return checkedKeys('API_KEYS', keys);
}

/** Throws naming the variable and the key's position, never the key. */
function checkedKeys(name: string, keys: string[]): string[] {
  keys.forEach((k, i) => {
    const problem = keyProblem(k);
    if (problem) throw new Error(`${name}: key ${i + 1} is not valid: a key ${problem}.`);
  });
  return keys;
}

function readyFileVar(env: Env): string | null {
  const raw = env.BGE_M3_READY_FILE;
  if (raw !== undefined) return raw.trim() || null;
  return env.KUBERNETES_SERVICE_HOST ? COG_READY_FILE : null;
}

/** Origins as `scheme://host[:port]` (normalized as browsers send them), or `*`. */
function originsVar(env: Env, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  return raw.split(',').map((s) => s.trim()).filter(Boolean).map((o) => {
    if (o === '*' || o === 'null') return o;
    let u: URL | undefined;
    try {
      u = new URL(o);
    } catch { /* reported below */ }
    if (!u || !/^https?:$/.test(u.protocol) || u.pathname !== '/' || u.search || u.hash || u.username) {
      throw new Error(`${name} holds ${JSON.stringify(o)}, which is not an origin: expected scheme://host[:port] such as https://app.example.com, or *. Fix or unset it.`);
    }
    return u.origin;
  });
}

function logLevelVar(env: Env): LogLevel | undefined {
  const raw = env.COG_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return undefined;
  const map: Record<string, LogLevel> = { debug: 'debug', info: 'info', warn: 'warning', warning: 'warning', error: 'error', critical: 'error' };
  return map[raw] ?? 'info';
}

/**
 * `concurrency.max` from cog.yaml text. Reads just that key (block or flow
 * style), so no YAML library is needed; anything else in the file is ignored.
 */
export function cogYamlConcurrencyMax(text: string): number | undefined {
  const flow = /^concurrency:\s*\{[^}]*\bmax:\s*(\d+)/m.exec(text);
  if (flow) return positive(flow[1]);
  const block = /^concurrency:[ \t]*(?:#.*)?\n((?:[ \t]+.*\n?|[ \t]*\n)*)/m.exec(text);
  const max = block && /^[ \t]+max:[ \t]*(\d+)/m.exec(block[1]);
  return max ? positive(max[1]) : undefined;
}

function positive(digits: string): number | undefined {
  const n = Number(digits);
  return n >= 1 ? n : undefined;
}
