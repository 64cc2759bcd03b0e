// Every environment variable the product reads, declared once: its kind,
// default, bounds and meaning (the weights' own section in
// src/engine/weights/settings.ts). Code reads them only through setting()
// below, which parses with setting-kinds.ts; the README's configuration table
// is generated from this table (tools/readme-settings.ts).
import { WEIGHTS_SETTINGS } from './engine/weights/settings.ts';
import { settingReader, type Env, type SettingSpec, type SettingValue } from './setting-kinds.ts';

const SERVER = {
  PORT: { type: 'integer', min: 0, max: 65535, default: 5000, meaning: 'the port the server listens on; `0` picks a free one' },
  HOST: { type: 'string', default: '0.0.0.0', meaning: 'the address the server listens on (`0.0.0.0`: every interface)' },
  COG_MAX_CONCURRENCY: {
    type: 'integer',
    min: 1,
    default: 32,
    defaultText: '`concurrency.max` of `cog.yaml`, else 32',
    meaning: 'predictions in flight at once; more get 409 (Cog) or wait (`/v1`, OpenAI, TEI)',
  },
  COG_LOG_LEVEL: {
    type: 'enum',
    values: ['debug', 'info', 'warning', 'error'],
    aliases: { warn: 'warning', critical: 'error' },
    default: 'info',
    meaning: 'the least severe log lines written (`warn` and `critical` are taken as `warning` and `error`)',
  },
  BGE_M3_MAX_BODY_MB: { type: 'number', min: 0.001, unit: 'MB', default: 16, meaning: 'request body limit (413 above it)' },
  BGE_M3_MAX_REQUEST_CHARS: {
    // About what the default 16 MB body carries as ASCII. Tokenization stops at
    // max_length, but a text whose tokens are not known until its end (one long
    // unknown "word", a run of white space) is read to the end, at roughly half
    // a microsecond per character.
    type: 'integer',
    min: 1,
    default: 16_000_000,
    meaning:
      'characters (UTF-16 code units) that the `texts` and `query` of one prediction may hold together; above it, 422 before any work, naming the limit and the text where the total passes it (server and CLI alike)',
  },
} as const satisfies Record<string, SettingSpec>;

const MODEL = {
  BGE_M3_MAX_BATCH_TOKENS: {
    // Measured on the full-size model (BENCHMARKS.md): throughput is flat from
    // about 256 padded tokens per pass and falls beyond ~1024 (activations
    // outgrow the CPU caches), while a bigger batch only makes everyone in it
    // wait longer.
    type: 'integer',
    min: 1,
    default: 1024,
    meaning: 'padded tokens per forward pass (rows × longest row; a longer text runs alone); measured best on 2 cores, see BENCHMARKS.md',
  },
  BGE_M3_THREADS: { type: 'integer', min: 1, defaultText: 'the number of CPUs', meaning: 'onnxruntime threads per forward pass' },
  BGE_M3_SPIN_THREADS: {
    type: 'flag',
    default: false,
    meaning:
      "`1`: onnxruntime's threads spin between operators instead of sleeping: about 30 % lower latency for a lone query (fp32 and int8), 5-11 % less throughput under many concurrent requests, and busy cores while requests run; see [BENCHMARKS.md](BENCHMARKS.md#int8)",
  },
  BGE_M3_PRECISION: {
    type: 'enum',
    values: ['fp32', 'int8'],
    default: 'fp32',
    meaning:
      "`int8`: the backbone's weight products dynamically quantized (faster, smaller, slightly different numbers; see [int8](#int8-precision)); `--precision` on the command line wins",
  },
  BGE_M3_INT8_WEIGHTS: {
    type: 'enum',
    values: ['auto', '8bit', '7bit'],
    default: 'auto',
    meaning:
      "`8bit` or `7bit` int8 weights; `auto` picks 8-bit where the CPU has VNNI or AMX, else 7-bit; a choice the CPU's kernel cannot compute exactly is refused at setup (see [int8](#int8-precision))",
  },
  BGE_M3_INT8_CACHE: {
    type: 'path',
    defaultText: 'beside the model',
    meaning: 'where the int8 model is cached (`.bge-m3-int8/` beside the model file by default)',
  },
  BGE_M3_RERANK_WEIGHTS: {
    // Parsed by src/api/rerank-request.ts (rerankWeights), whose error names the variable.
    type: 'string',
    defaultText: "`0.4,0.2,0.4` (schema.json's `score_weights` default)",
    meaning:
      "the default weights `w_dense,w_sparse,w_colbert` of the rerank routes' hybrid score; a request's `score_weights` overrides them (see [Rerank](#rerank))",
  },
  BGE_M3_WORKER_RESTARTS: { type: 'integer', min: 0, default: 3, meaning: "new model workers started after one dies, over the process's life; then `DEFUNCT`" },
} as const satisfies Record<string, SettingSpec>;

const WEBHOOKS = {
  COG_THROTTLE_RESPONSE_INTERVAL: { type: 'number', min: 0, unit: 'seconds', default: 0.5, meaning: 'seconds between non-terminal webhooks of one prediction' },
  WEBHOOK_AUTH_TOKEN: { type: 'secret', meaning: 'sent as `Authorization: Bearer …` with every webhook' },
  BGE_M3_WEBHOOK_RETRY_BASE_MS: {
    type: 'integer',
    min: 0,
    default: 100,
    meaning: 'milliseconds before the first retry of a terminal webhook; the wait doubles per retry',
  },
  BGE_M3_WEBHOOK_MAX_RETRIES: { type: 'integer', min: 0, default: 12, meaning: 'retries of a terminal webhook that failed' },
  BGE_M3_WEBHOOK_TIMEOUT_SECONDS: { type: 'number', min: 0, unit: 'seconds', default: 30, meaning: 'how long one webhook delivery may take' },
} as const satisfies Record<string, SettingSpec>;

const LIFECYCLE = {
  BGE_M3_SHUTDOWN_GRACE_SECONDS: {
    type: 'number',
    min: 0,
    unit: 'seconds',
    default: 20,
    meaning: 'on SIGTERM or `/shutdown`: time for running predictions to finish before they are canceled',
  },
  BGE_M3_SHUTDOWN_WEBHOOK_WAIT_SECONDS: {
    type: 'number',
    min: 0,
    unit: 'seconds',
    default: 10,
    meaning: 'on shutdown, after that grace: time for terminal webhooks still being delivered',
  },
  BGE_M3_READY_FILE: {
    type: 'path',
    emptyIsOff: true,
    defaultText: '`/var/run/cog/ready` when `KUBERNETES_SERVICE_HOST` is set, else none',
    meaning: 'readiness file present while `/health` is 200; `""` turns it off',
  },
  KUBERNETES_SERVICE_HOST: {
    type: 'string',
    defaultText: 'set by Kubernetes in every pod',
    meaning: "when set, the readiness file defaults to Cog's `/var/run/cog/ready`",
  },
  BGE_M3_V1_RETENTION_SECONDS: { type: 'number', min: 0, unit: 'seconds', default: 3600, meaning: 'how long finished `/v1` predictions are kept' },
  BGE_M3_V1_RETENTION_COUNT: { type: 'integer', min: 0, default: 1000, meaning: 'how many finished `/v1` predictions are kept' },
  BGE_M3_V1_RETENTION_MB: { type: 'number', min: 0, unit: 'MB', default: 256, meaning: 'how much output of finished `/v1` predictions is kept' },
  BGE_M3_V1_QUEUE_MAX: { type: 'integer', min: 0, default: 1000, meaning: '`/v1` predictions and OpenAI/TEI requests that may wait for a slot before 429' },
} as const satisfies Record<string, SettingSpec>;

const ACCESS = {
  API_KEYS: {
    type: 'list',
    item: 'key',
    meaning: 'keys the server accepts; when set (or `API_KEYS_FILE`), protected routes need `Authorization: Bearer <key>` (see Security)',
  },
  API_KEYS_FILE: { type: 'path', meaning: 'a file of keys, one a line (`#` comments); re-read on change and on `SIGHUP`' },
  METRICS_API_KEY: { type: 'secret', meaning: 'when set, `/metrics` needs this key as a bearer token' },
  CORS_ALLOW_ORIGINS: {
    type: 'list',
    item: 'origin',
    meaning:
      'web origins such as `https://app.example.com` (`*` for any) whose pages may call the API; see [Browsers and other origins](#browsers-and-other-origins)',
  },
  // Parsed by src/server/http/allowed-hosts.ts and trust-proxy.ts, whose errors name the variable too.
  ALLOWED_HOSTS: {
    type: 'string',
    meaning:
      'host names the server answers to besides `localhost`, loopback and its own addresses (comma-separated; `.example.com` with subdomains; `*` any); other `Host` headers get 403 (DNS rebinding)',
  },
  TRUST_PROXY: {
    type: 'string',
    defaultText: 'off',
    meaning:
      'proxies trusted to name the client in `X-Forwarded-For`: their count (`1`) or addresses/subnets, as Express\'s "trust proxy"; used by the failed-key backoff',
  },
} as const satisfies Record<string, SettingSpec>;

const CORPUS = {
  BGE_M3_SHARDS: { type: 'integer', min: 1, defaultText: '`1`', meaning: "the corpus job's shard count when `--shards` is not given" },
  JOB_COMPLETION_INDEX: { type: 'integer', min: 0, defaultText: '`0`', meaning: "the corpus job's shard index (a Kubernetes Indexed Job sets it)" },
} as const satisfies Record<string, SettingSpec>;

const INTERNAL = {
  BGE_M3_TEST_HOOKS: {
    type: 'flag',
    default: false,
    internal: 'tests set it to make the model worker die, or hold a batch in flight, on demand; never set in production',
    meaning: "opens the model worker's test channel (src/engine/worker/test-hook.ts)",
  },
  npm_lifecycle_event: {
    type: 'string',
    internal: 'set by npm for the scripts it runs, not by users',
    meaning: 'present when npm started the process, so the server expects npm to relay signals once',
  },
} as const satisfies Record<string, SettingSpec>;

/** The table in README order: one section per concern. */
export const SETTING_GROUPS = [
  { title: 'Server', settings: SERVER },
  { title: 'Weights', settings: WEIGHTS_SETTINGS },
  { title: 'Model', settings: MODEL },
  { title: 'Webhooks', settings: WEBHOOKS },
  { title: 'Readiness, shutdown and `/v1` predictions', settings: LIFECYCLE },
  { title: 'Access', settings: ACCESS },
  { title: 'Corpus job', settings: CORPUS },
  { title: 'Internal', settings: INTERNAL },
] as const;

export const SETTINGS = { ...SERVER, ...WEIGHTS_SETTINGS, ...MODEL, ...WEBHOOKS, ...LIFECYCLE, ...ACCESS, ...CORPUS, ...INTERNAL };

export type SettingName = keyof typeof SETTINGS;
export type { Env };

/**
 * setting(name, env?): the variable `name` read from `env` (default: this
 * process's environment) as its table entry says: its default when unset or
 * blank. Throws a SettingError naming the variable and the fix when the value
 * is malformed.
 */
export const setting = settingReader(SETTINGS);

/** The variable's value when it is set, undefined when it is not: for settings whose default comes from elsewhere (cog.yaml). */
export function explicitSetting<N extends SettingName>(name: N, env: Env = process.env): SettingValue<(typeof SETTINGS)[N]> | undefined {
  return env[name]?.trim() ? setting(name, env) : undefined;
}
