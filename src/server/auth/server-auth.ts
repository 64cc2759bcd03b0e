// Access control as the server wires it: off unless API_KEYS or API_KEYS_FILE
// is set. guard(shape) is the middleware for routes that do work (a
// pass-through when keys are off); metricsGuard(shape) protects /metrics only
// when METRICS_API_KEY is set. Both share one failure-backoff table.
import type { RequestHandler } from 'express';
import { FailureBackoff, type BackoffOptions } from './backoff.ts';
import { ApiKeyRing } from './key-ring.ts';
import { KeySet } from './keys.ts';
import { requireApiKey, type ErrorShape } from './guard.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';

export interface AuthTestHooks {
  backoff?: Partial<BackoffOptions>;
  /** How a 401 waits out its backoff (default: a timer). */
  wait?: (ms: number) => Promise<unknown>;
  /** Debounce of key-file change events, ms. */
  settleMs?: number;
}

export interface ServerAuth {
  /** True when API keys are required on the routes that do work. */
  readonly enabled: boolean;
  /** The key ring (undefined when keys are off). */
  readonly ring: ApiKeyRing | undefined;
  guard(shape: ErrorShape): RequestHandler;
  metricsGuard(shape: ErrorShape): RequestHandler;
  close(): void;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

export async function openServerAuth(config: ServerConfig, log: Logger, hooks: AuthTestHooks = {}): Promise<ServerAuth> {
  const enabled = config.apiKeys.length > 0 || config.apiKeysFile !== null;
  const ring = enabled ? await ApiKeyRing.open({ keys: config.apiKeys, file: config.apiKeysFile, log, settleMs: hooks.settleMs }) : undefined;
  if (!enabled) log.info('no API keys set: every route is open (set API_KEYS or API_KEYS_FILE to require a key)');
  const backoff = new FailureBackoff(hooks.backoff);
  const metricsKeys = config.metricsApiKey ? new KeySet([config.metricsApiKey]) : undefined;
  const ringKeys = () => ring!.keys; // one function for every guard(), so a request is checked once
  const metricsKeySet = () => metricsKeys!;
  const onHup = () => void ring?.reload('SIGHUP');
  if (ring && config.apiKeysFile) process.on('SIGHUP', onHup);
  return {
    enabled,
    ring,
    guard: (shape) => (ring ? requireApiKey({ keys: ringKeys, shape, backoff, log, wait: hooks.wait }) : passThrough),
    metricsGuard: (shape) => (metricsKeys ? requireApiKey({ keys: metricsKeySet, shape, backoff, log, wait: hooks.wait }) : passThrough),
    close() {
      process.off('SIGHUP', onHup);
      ring?.close();
    },
  };
}
