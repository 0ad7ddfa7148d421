/**
 * The one door from the burst model into the extension's own code. Everything the model runs of the
 * extension comes through here: the read-through cache (ValueCache.get / put), its keys, the backends
 * factory (createAwsBackends, which builds the real AWS SDK v3 clients) and the INIT prefetch (prefetch,
 * batched through the backends' GetParameters and BatchGetSecretValue). When the extension's modules
 * move, repoint these imports and nothing else in scale/ changes.
 */
import { createAwsBackends } from '../extension/src/backends/aws-backends.js';
import type { Backends } from '../extension/src/backends/types.js';
import { parameterKey, secretKey } from '../extension/src/cache/keys.js';
import { ValueCache } from '../extension/src/cache/value-cache.js';
import { loadConfig } from '../extension/src/config.js';
import { createLogger } from '../extension/src/logger.js';
import { prefetch } from '../extension/src/prefetch.js';
import type { Service } from '../extension/src/service.js';

export type { Backends, Service };

export interface ExtensionSettings {
  /** PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR: serve an expired value when its refresh fails transiently. */
  readonly staleOnError: boolean;
  /** PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS (the extension's default is 3). */
  readonly maxConnections: number;
  /** SSM_PARAMETER_STORE_TTL and SECRETS_MANAGER_TTL alike, in milliseconds. */
  readonly ttlMs: number;
}

/** What the function reads: a parameter (with decryption, as a function reading config does) or a secret. */
export interface Read {
  readonly kind: 'parameter' | 'secret';
  readonly name: string;
}

/** One sandbox's extension: its own cache and its own SDK clients, as in a real execution environment. */
export interface SandboxExtension {
  readonly backends: Backends;
  /** The cache's read-through call: from the cache, or one backend call shared by concurrent callers. */
  readThrough(read: Read, fetch: () => Promise<string>): Promise<void>;
  /** Stores a value fetched elsewhere (a prefetch), under the key a read of it uses. */
  put(read: Read, json: string): void;
  /** The extension's INIT prefetch of these names (PREFETCH_PARAMETERS / PREFETCH_SECRETS); never rejects. */
  prefetch(reads: readonly Read[]): Promise<void>;
}

const serviceOf = (read: Read): Service => (read.kind === 'parameter' ? 'ssm' : 'secretsManager');
const keyOf = (read: Read): string =>
  read.kind === 'parameter' ? parameterKey(read.name, true) : secretKey(read.name, undefined, undefined);

/** The extension's configuration with every default, as prefetch reads it (only its prefetch lists matter). */
const DEFAULT_CONFIG = loadConfig({}).config;
/** A prefetch's failures are the model's figures, not log lines. */
const SILENT = createLogger('NONE');

export function createSandboxExtension(settings: ExtensionSettings): SandboxExtension {
  const cache = new ValueCache<string>({
    enabled: true,
    size: 1000,
    ttlMs: { ssm: settings.ttlMs, secretsManager: settings.ttlMs },
    staleOnError: settings.staleOnError,
    prepare: (json) => json,
  });
  // SDK clients read endpoint, region, credentials and AWS_RETRY_MODE from the environment, as in Lambda.
  const backends = createAwsBackends({
    maxConnections: settings.maxConnections,
    timeoutMs: { ssm: 0, secretsManager: 0 },
  });
  return {
    backends,
    async readThrough(read, fetch) {
      await cache.get(serviceOf(read), keyOf(read), fetch);
    },
    put(read, json) {
      cache.put(serviceOf(read), keyOf(read), json);
    },
    prefetch(reads) {
      const config = {
        ...DEFAULT_CONFIG,
        prefetchParameters: reads.filter((r) => r.kind === 'parameter').map((r) => r.name),
        prefetchSecrets: reads.filter((r) => r.kind === 'secret').map((r) => r.name),
      };
      return prefetch(config, cache, async () => backends, SILENT);
    },
  };
}

/** The AWS error code a failed read carries (what the function would see in the extension's 400 body). */
export function failureCode(error: unknown): string {
  // The extension's BackendError carries `code`; anything else that escaped it, at least a `name`.
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : 'UnexpectedError';
}
