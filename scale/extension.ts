/**
 * The one door from the burst model into the extension's own code. Everything the model runs of the
 * extension comes through here: the read-through cache (ValueCache.get / put) and the backends factory
 * (createAwsBackends, which builds the real AWS SDK v3 clients). When the extension's modules move,
 * repoint these imports and nothing else in scale/ changes.
 */
import { createAwsBackends } from '../extension/src/backends/aws-backends.js';
import type { Backends } from '../extension/src/backends/types.js';
import { ValueCache } from '../extension/src/cache/value-cache.js';

export type { Backends };

export interface ExtensionSettings {
  /** PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR: serve an expired value when its refresh fails transiently. */
  readonly staleOnError: boolean;
  /** PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS (the extension's default is 3). */
  readonly maxConnections: number;
}

/** One sandbox's extension: its own cache and its own SDK clients, as in a real execution environment. */
export interface SandboxExtension {
  readonly backends: Backends;
  /** The cache's read-through call: the body the extension would answer, from the cache or one backend call shared by concurrent callers. */
  readThrough(key: string, ttlMs: number, fetch: () => Promise<string>): Promise<string>;
  /** Stores a value fetched by a prefetch. */
  put(key: string, ttlMs: number, json: string): void;
}

export function createSandboxExtension(settings: ExtensionSettings): SandboxExtension {
  const cache = new ValueCache({ enabled: true, size: 1000, staleOnError: settings.staleOnError });
  // SDK clients read endpoint, region, credentials and AWS_RETRY_MODE from the environment, as in Lambda.
  const backends = createAwsBackends({
    maxConnections: settings.maxConnections,
    ssmTimeoutMs: 0,
    secretsManagerTimeoutMs: 0,
  });
  return {
    backends,
    async readThrough(key, ttlMs, fetch) {
      return (await cache.get(key, ttlMs, fetch)).body.toString('utf8');
    },
    put(key, ttlMs, json) {
      cache.put(key, ttlMs, json);
    },
  };
}

/** The AWS error code a failed read carries (what the function would see in the extension's 400 body). */
export function failureCode(error: unknown): string {
  // The extension's BackendError carries `code`; an SDK error the model's own client got carries `name`.
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'UnexpectedError';
}
