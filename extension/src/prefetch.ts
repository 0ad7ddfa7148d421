/**
 * Opt-in INIT-phase prefetch: fills the cache before the first /event/next, so the first invoke is a hit.
 * It runs before /next on purpose: Lambda freezes the sandbox once init ends, which would stall a
 * prefetch still in flight. Failures are logged and never fail init.
 *
 * Batched: parameters through GetParameters (10 names per call), a name ending in `/` through
 * GetParametersByPath (the whole hierarchy, recursively), secrets through BatchGetSecretValue (20 ids per
 * call; ids it is denied are read one by one with GetSecretValue). 25 parameters and 10 secrets cost
 * 3 + 1 backend calls. Names and ids go through the cache's getMany, so a function reading them at INIT
 * while the prefetch is in flight joins it rather than calling the backend again. Everything is read with decryption,
 * as a function reading secrets would; a value that is not a SecureString is the same either way, so it
 * warms both keys.
 */

import { readSecretValues } from './backends/secret-values.js';
import {
  type Backends,
  type FetchedParameter,
  MAX_BY_PATH_PARAMETERS,
  type SecretRequest,
} from './backends/types.js';
import { parameterKey, secretKey } from './cache/keys.js';
import type { ManyFetcher, ValueCache } from './cache/value-cache.js';
import type { Config } from './config.js';
import { BackendError } from './errors.js';
import type { Logger } from './logger.js';

function reason(error: unknown): string {
  return error instanceof BackendError ? `${error.code}: ${error.message}` : 'unexpected error';
}

/** One single read: a name and whether it is decrypted. */
interface ParameterRead {
  readonly name: string;
  readonly withDecryption: boolean;
}

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

  /**
   * Through the cache, so a function's INIT reading a name while the prefetch is in flight joins it
   * instead of making a call of its own. Each name is warmed under both of its keys by one decrypted
   * read: a value that is not a SecureString is the same either way. A key that read cannot fill (a
   * SecureString without decryption; any name whose decrypted read failed, since its encrypted read may
   * still succeed) is read alone, and only if a request is waiting for it.
   */
  async function prefetchParameters(asked: readonly string[]): Promise<void> {
    if (asked.length === 0) return;
    const names = [...new Set(asked)];
    // Two keys per name, the decrypted one first: settled[2 * i] is names[i]'s own outcome.
    const reads = new Map<string, ParameterRead>(
      names.flatMap((name) => [
        [parameterKey(name, true), { name, withDecryption: true }],
        [parameterKey(name, false), { name, withDecryption: false }],
      ]),
    );
    const readOf = (key: string): ParameterRead => reads.get(key) as ParameterRead;
    const fetchMany: ManyFetcher = async (keys) => {
      const results = await backends.getParameters([...new Set(keys.map((key) => readOf(key).name))], true);
      const answers = new Map<string, string | Error>();
      for (const key of keys) {
        const { name, withDecryption } = readOf(key);
        const result = results.get(name);
        if (result === undefined) continue;
        if (result instanceof Error) {
          if (withDecryption) answers.set(key, result);
        } else if (withDecryption || !result.secure) {
          answers.set(key, result.json);
        }
      }
      return answers;
    };
    const single = (key: string) => () => backends.getParameter(readOf(key));
    const settled = await cache.getMany('ssm', [...reads.keys()], fetchMany, { single, uncounted: true });
    const failures: string[] = [];
    for (const [index, name] of names.entries()) {
      const outcome = settled[2 * index];
      if (outcome !== undefined && 'error' in outcome) {
        failures.push(`${JSON.stringify(name)} (${reason(outcome.error)})`);
      }
    }
    logger.info(`Prefetched ${names.length - failures.length} of ${names.length} parameters.`);
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

  /** Through the cache as well, each id under the key of a read of its current version. */
  async function prefetchSecrets(asked: readonly string[]): Promise<void> {
    if (asked.length === 0) return;
    const ids = [...new Set(asked)];
    const requests = new Map(
      ids.map((secretId) => [
        secretKey(secretId, undefined, undefined),
        { secretId, versionId: undefined, versionStage: undefined },
      ]),
    );
    const fetchMany: ManyFetcher = async (keys) => {
      const wanted = keys.map((key) => (requests.get(key) as SecretRequest).secretId);
      const results = await readSecretValues(backends, wanted);
      return new Map(keys.map((key, index) => [key, results.get(wanted[index] as string) as string | Error]));
    };
    const settled = await cache.getMany('secretsManager', [...requests.keys()], fetchMany, {
      uncounted: true,
    });
    let stored = 0;
    for (const [index, secretId] of ids.entries()) {
      const outcome = settled[index];
      if (outcome !== undefined && 'error' in outcome) {
        logger.warn(`Prefetch of secret ${JSON.stringify(secretId)} failed: ${reason(outcome.error)}`);
        continue;
      }
      stored++;
    }
    logger.info(`Prefetched ${stored} of ${ids.length} secrets.`);
  }
}
