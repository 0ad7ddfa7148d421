/**
 * Opt-in INIT-phase prefetch: fills the cache before the first /event/next, so the first invoke is a hit.
 * It runs before /next on purpose: Lambda freezes the sandbox once init ends, which would stall a
 * prefetch still in flight. Failures are logged and never fail init.
 *
 * Batched: parameters through GetParameters (10 names per call), a name ending in `/` through
 * GetParametersByPath (the whole hierarchy, recursively), secrets through BatchGetSecretValue (20 ids per
 * call; ids it is denied are read one by one with GetSecretValue). 25 parameters and 10 secrets cost
 * 3 + 1 backend calls. Everything is read with decryption,
 * as a function reading secrets would; a value that is not a SecureString is the same either way, so it
 * warms both keys.
 */
import { type Backends, type FetchedParameter, MAX_BY_PATH_PARAMETERS } from './backends/types.js';
import { parameterKey, secretKey } from './cache/keys.js';
import type { ValueCache } from './cache/value-cache.js';
import type { Config } from './config.js';
import { BackendError } from './errors.js';
import type { Logger } from './logger.js';

function reason(error: unknown): string {
  return error instanceof BackendError ? `${error.code}: ${error.message}` : 'unexpected error';
}

const isDenied = (result: unknown): boolean =>
  result instanceof BackendError && result.code === 'AccessDeniedException';

/** A prefetch entry naming a hierarchy rather than one parameter. */
export const isHierarchy = (name: string): boolean => name.length > 1 && name.endsWith('/');

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
  const names = parameters.filter((name) => !isHierarchy(name));
  const paths = parameters.filter(isHierarchy);
  await Promise.all([prefetchParameters(names), ...paths.map(prefetchPath), prefetchSecrets(secrets)]);

  /** Under its single-read keys, each with the single read that refreshes it (refresh-ahead). */
  function store(name: string, parameter: FetchedParameter): void {
    const reread = (withDecryption: boolean) => () => backends.getParameter({ name, withDecryption });
    cache.put('ssm', parameterKey(name, true), parameter.json, reread(true));
    if (!parameter.secure) cache.put('ssm', parameterKey(name, false), parameter.json, reread(false));
  }

  async function prefetchParameters(asked: readonly string[]): Promise<void> {
    if (asked.length === 0) return;
    const results = await backends.getParameters(asked, true);
    let stored = 0;
    const failures: string[] = [];
    for (const name of asked) {
      const result = results.get(name);
      if (result === undefined || result instanceof Error) {
        failures.push(`${JSON.stringify(name)} (${reason(result)})`);
        continue;
      }
      store(name, result);
      stored++;
    }
    logger.info(`Prefetched ${stored} of ${asked.length} parameters.`);
    if (failures.length > 0) logger.warn(`Prefetch could not read parameter ${failures.join(', ')}.`);
  }

  async function prefetchPath(path: string): Promise<void> {
    try {
      const request = { path, recursive: true, withDecryption: true };
      const { parameters: found } = await backends.getParametersByPath(request, MAX_BY_PATH_PARAMETERS);
      for (const parameter of found) store(parameter.name, parameter);
      logger.info(`Prefetched ${found.length} parameters under ${JSON.stringify(path)}.`);
    } catch (error) {
      logger.warn(`Prefetch of the parameters under ${JSON.stringify(path)} failed: ${reason(error)}`);
    }
  }

  async function prefetchSecrets(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const results = new Map(await backends.getSecretValues(ids));
    // BatchGetSecretValue is an IAM action of its own: a role granted only GetSecretValue (enough for the
    // one-by-one prefetch of earlier versions) is denied the batch. Those ids are read one by one.
    const denied = ids.filter((id) => isDenied(results.get(id)));
    await Promise.all(
      denied.map(async (secretId) => {
        const request = { secretId, versionId: undefined, versionStage: undefined };
        results.set(
          secretId,
          await backends.getSecretValue(request).catch((error: unknown) => error as Error),
        );
      }),
    );
    let stored = 0;
    for (const secretId of ids) {
      const result = results.get(secretId);
      if (result === undefined || result instanceof Error) {
        logger.warn(`Prefetch of secret ${JSON.stringify(secretId)} failed: ${reason(result)}`);
        continue;
      }
      const request = { secretId, versionId: undefined, versionStage: undefined };
      cache.put('secretsManager', secretKey(secretId, undefined, undefined), result, () =>
        backends.getSecretValue(request),
      );
      stored++;
    }
    logger.info(`Prefetched ${stored} of ${ids.length} secrets.`);
  }
}
