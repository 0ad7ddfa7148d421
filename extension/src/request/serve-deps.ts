import type { Backends } from '../backends/types.js';
import type { ValueCache } from '../cache/value-cache.js';
import type { Logger } from '../logger.js';

/** What both request paths (the bare fast path and the fastify app) need to answer a read. */
export interface ServeDeps {
  readonly cache: ValueCache;
  readonly tokens: readonly string[];
  readonly ttlMs: { readonly ssm: number; readonly secretsmanager: number };
  /** Loads the SDK adapters on first use. */
  readonly backends: () => Promise<Backends>;
  readonly logger: Logger;
}
