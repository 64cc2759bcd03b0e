// The server's settings, read from the environment variables declared in
// src/settings.ts (Cog's own names where Cog has one, BGE_M3_* otherwise).
import { explicitSetting, setting, SETTINGS, type Env } from '../settings.ts';
import { keyProblem } from './auth/keys.ts';
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

export const DEFAULT_MAX_CONCURRENCY = SETTINGS.COG_MAX_CONCURRENCY.default;

export const COG_READY_FILE = '/var/run/cog/ready';

const V1_PAGE_SIZE = 100;

const ms = (seconds: number) => Math.round(seconds * 1000);
const bytes = (mb: number) => Math.round(mb * 1024 * 1024);

/**
 * Reads settings from the environment. `cogYaml` is the text of cog.yaml, whose
 * `concurrency.max` applies when COG_MAX_CONCURRENCY is unset. Throws an Error
 * naming the variable when a value does not parse.
 */
export function readServerConfig(env?: Env, cogYaml?: string): ServerConfig {
  const metricsApiKey = setting('METRICS_API_KEY', env);
  return {
    maxConcurrency: explicitSetting('COG_MAX_CONCURRENCY', env) ?? (cogYaml ? cogYamlConcurrencyMax(cogYaml) : undefined) ?? DEFAULT_MAX_CONCURRENCY,
    throttleIntervalMs: ms(setting('COG_THROTTLE_RESPONSE_INTERVAL', env)),
    maxBodyBytes: bytes(setting('BGE_M3_MAX_BODY_MB', env)),
    webhookAuthToken: setting('WEBHOOK_AUTH_TOKEN', env) ?? null,
    webhookRetryBaseMs: setting('BGE_M3_WEBHOOK_RETRY_BASE_MS', env),
    webhookMaxRetries: setting('BGE_M3_WEBHOOK_MAX_RETRIES', env),
    webhookTimeoutMs: ms(setting('BGE_M3_WEBHOOK_TIMEOUT_SECONDS', env)),
    shutdownGraceMs: ms(setting('BGE_M3_SHUTDOWN_GRACE_SECONDS', env)),
    shutdownWebhookWaitMs: ms(setting('BGE_M3_SHUTDOWN_WEBHOOK_WAIT_SECONDS', env)),
    v1RetentionMs: ms(setting('BGE_M3_V1_RETENTION_SECONDS', env)),
    v1RetentionCount: setting('BGE_M3_V1_RETENTION_COUNT', env),
    v1RetentionBytes: bytes(setting('BGE_M3_V1_RETENTION_MB', env)),
    v1QueueMax: setting('BGE_M3_V1_QUEUE_MAX', env),
    v1PageSize: V1_PAGE_SIZE,
    logLevel: setting('COG_LOG_LEVEL', env),
    apiKeys: checkedKeys('API_KEYS', setting('API_KEYS', env)),
    apiKeysFile: setting('API_KEYS_FILE', env) ?? null,
    metricsApiKey: metricsApiKey === undefined ? null : checkedKeys('METRICS_API_KEY', [metricsApiKey])[0],
    readyFile: readyFile(env),
    corsAllowOrigins: setting('CORS_ALLOW_ORIGINS', env),
    allowedHosts: allowedHosts(setting('ALLOWED_HOSTS', env)),
    trustProxy: trustProxy(setting('TRUST_PROXY', env)),
  };
}

// Host names and proxy addresses have grammars of their own (http/allowed-hosts.ts, http/trust-proxy.ts).
const allowedHosts = (raw: string | undefined) => (raw === undefined ? [] : parseAllowedHosts(raw, 'ALLOWED_HOSTS'));
const trustProxy = (raw: string | undefined) => (raw === undefined ? false : parseTrustProxy(raw, 'TRUST_PROXY'));

/** Throws naming the variable and the key's position, never the key. */
function checkedKeys(name: string, keys: string[]): string[] {
  keys.forEach((k, i) => {
    const problem = keyProblem(k);
    if (problem) throw new Error(`${name}: key ${i + 1} is not valid: a key ${problem}.`);
  });
  return keys;
}

/** BGE_M3_READY_FILE when set ("" is off), else Cog's file on Kubernetes. */
function readyFile(env: Env | undefined): string | null {
  const file = setting('BGE_M3_READY_FILE', env);
  if (file !== undefined) return file;
  return setting('KUBERNETES_SERVICE_HOST', env) ? COG_READY_FILE : null;
}

/** Every setting at its default, as an environment without any of the variables gives. */
export const DEFAULT_CONFIG: Readonly<ServerConfig> = Object.freeze(readServerConfig({}));

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
