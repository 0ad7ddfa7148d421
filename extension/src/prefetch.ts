/**
 * Opt-in INIT-phase prefetch: fills the cache before the first /event/next, so the first invoke is a hit.
 * It runs before /next on purpose: Lambda freezes the sandbox once init ends, which would stall a
 * prefetch still in flight. Failures are logged and never fail init.
 */
import type { Backends } from './backends/types.js';
import { parameterKey, secretKey } from './cache/keys.js';
import type { ValueCache } from './cache/value-cache.js';
import type { Config } from './config.js';
import { BackendError } from './errors.js';
import type { Logger } from './logger.js';

function reason(error: unknown): string {
  return error instanceof BackendError ? `${error.code}: ${error.message}` : 'unexpected error';
}

export async function prefetch<T>(
  config: Config,
  cache: ValueCache<T>,
  loadBackends: () => Promise<Backends>,
  logger: Logger,
): Promise<void> {
  const parameters = cache.caches('ssm') ? config.prefetchParameters : [];
  const secrets = cache.caches('secretsManager') ? config.prefetchSecrets : [];
  if (parameters.length + secrets.length < config.prefetchParameters.length + config.prefetchSecrets.length) {
    logger.warn('Prefetch skipped for a service whose cache is disabled (CACHE_ENABLED, CACHE_SIZE or TTL).');
  }
  if (parameters.length === 0 && secrets.length === 0) return;
  let backends: Backends;
  try {
    backends = await loadBackends();
  } catch (error) {
    logger.error(`Prefetch failed: cannot load the AWS clients (${(error as Error).name})`);
    return;
  }
  await Promise.all([prefetchParameters(parameters), prefetchSecrets(secrets)]);

  async function prefetchParameters(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    try {
      const found = await backends.getParameters(names);
      for (const parameter of found) {
        cache.put('ssm', parameterKey(parameter.name, true), parameter.json);
        // Not a SecureString: the value is the same with or without decryption, so both keys may serve it.
        if (!parameter.secure) cache.put('ssm', parameterKey(parameter.name, false), parameter.json);
      }
      const missing = names.filter((name) => !found.some((parameter) => parameter.name === name));
      logger.info(`Prefetched ${found.length} of ${names.length} parameters.`);
      if (missing.length > 0)
        logger.warn(`Prefetch found no parameter named ${missing.map((n) => JSON.stringify(n)).join(', ')}.`);
    } catch (error) {
      logger.warn(`Prefetch of parameters failed: ${reason(error)}`);
    }
  }

  async function prefetchSecrets(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const results = await Promise.allSettled(
      ids.map(async (secretId) => {
        const json = await backends.getSecretValue({
          secretId,
          versionId: undefined,
          versionStage: undefined,
        });
        cache.put('secretsManager', secretKey(secretId, undefined, undefined), json);
      }),
    );
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        logger.warn(`Prefetch of secret ${JSON.stringify(ids[i])} failed: ${reason(result.reason)}`);
      }
    });
    logger.info(
      `Prefetched ${results.filter((r) => r.status === 'fulfilled').length} of ${ids.length} secrets.`,
    );
  }
}
