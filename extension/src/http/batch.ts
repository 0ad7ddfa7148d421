/**
 * The batch reads: GetParameters, GetParametersByPath and BatchGetSecretValue behind the cache.
 *
 * Each item is cached under the key a single read of it uses, so a batch warms later single reads and
 * a batch whose items are all fresh makes no backend call; only missing or expired items are fetched,
 * as few calls as the APIs allow, single-flight per item (cache/value-cache.ts getMany). A by-path
 * answer is cached as a whole under its own key, its items under theirs. A failed item is named in
 * the answer and never cached; a batch of which nothing could be read answers like a failed single read.
 */

import { readSecretValues } from '../backends/secret-values.js';
import {
  batchGetSecretValueBody,
  getParametersBody,
  type ItemError,
  parameterItemOf,
  parametersByPathBody,
  secretItemOf,
} from '../backends/serialize.js';
import { type Backends, MAX_BY_PATH_PARAMETERS } from '../backends/types.js';
import { parameterKey } from '../cache/keys.js';
import type { ManyFetcher, Settled, ValueCache } from '../cache/value-cache.js';
import { BackendError } from '../errors.js';
import type { Logger } from '../logger.js';
import { INTERNAL_FAILURE } from '../messages.js';
import type { BatchLookup, ByPathLookup, ParametersLookup, SecretsLookup } from './batch-lookup.js';
import { type Answer, valueAnswer } from './respond.js';
import { type BatchRoute, DATA_PATHS } from './target.js';

export interface BatchDeps {
  readonly cache: ValueCache<Answer>;
  readonly backends: () => Promise<Backends>;
  readonly logger: Logger;
  /** The answer (and log line) of a read that failed as a whole: the single reads' rule. */
  readonly failureAnswer: (error: unknown, route: BatchRoute) => Answer;
}

/** Codes that say "this item does not exist": an answer about the item, not a failure to read it. */
const NOT_FOUND_CODES = new Set(['ParameterNotFound', 'ResourceNotFoundException']);

const isNotFound = (error: unknown): boolean =>
  error instanceof BackendError && NOT_FOUND_CODES.has(error.code);

/** What an answer may say about a failed item: our code and message, never the cause's text. */
function itemError(id: string, error: unknown): ItemError {
  return error instanceof BackendError
    ? { id, code: error.code, message: error.message }
    : { id, code: INTERNAL_FAILURE.code, message: INTERNAL_FAILURE.message };
}

/** Keys → the names a fetcher is asked for, and the answers back under their keys. */
function byKey<T>(
  keys: readonly string[],
  ids: readonly string[],
  fetch: (ids: readonly string[]) => Promise<ReadonlyMap<string, T | Error>>,
  json: (value: T) => string,
): ManyFetcher {
  const idOf = new Map(keys.map((key, i) => [key, ids[i] as string]));
  return async (missing) => {
    const asked = missing.map((key) => idOf.get(key) as string);
    const results = await fetch(asked);
    const answers = new Map<string, string | Error>();
    missing.forEach((key, i) => {
      const result = results.get(asked[i] as string);
      if (result !== undefined) answers.set(key, result instanceof Error ? result : json(result));
    });
    return answers;
  };
}

interface Sorted {
  readonly items: string[];
  readonly notFound: Array<{ id: string; error: unknown }>;
  readonly failed: Array<{ id: string; error: unknown }>;
}

function sort(
  ids: readonly string[],
  settled: ReadonlyArray<Settled<Answer>>,
  item: (body: string) => string,
): Sorted {
  const sorted: Sorted = { items: [], notFound: [], failed: [] };
  settled.forEach((outcome, i) => {
    const id = ids[i] as string;
    if ('entry' in outcome) sorted.items.push(item(outcome.entry.value.body.toString('utf8')));
    else (isNotFound(outcome.error) ? sorted.notFound : sorted.failed).push({ id, error: outcome.error });
  });
  return sorted;
}

export function createBatchReader(deps: BatchDeps): (lookup: BatchLookup) => Promise<Answer> {
  const { cache, backends, logger, failureAnswer } = deps;

  /** Nothing read and something failed: the first failure answers, as it would for a single read. */
  const answerOf = (route: BatchRoute, sorted: Sorted, body: () => string): Answer => {
    const first = sorted.failed[0];
    if (first !== undefined && sorted.items.length + sorted.notFound.length === 0) {
      return failureAnswer(first.error, route);
    }
    if (first !== undefined) {
      // Codes only: a name can carry a secret part, so the log never lists which items failed.
      const codes = [...new Set(sorted.failed.map(({ error }) => itemError('', error).code))].join(', ');
      logger.warn(`${DATA_PATHS[route]}: ${sorted.failed.length} item(s) could not be read (${codes})`);
    }
    return valueAnswer(body());
  };

  const readParameters = async (lookup: ParametersLookup): Promise<Answer> => {
    const fetchMany = byKey(
      lookup.keys,
      lookup.names,
      async (names) => (await backends()).getParameters(names, lookup.withDecryption),
      (parameter) => parameter.json,
    );
    const settled = await cache.getMany('ssm', lookup.keys, fetchMany, { refresh: lookup.refreshNow });
    const sorted = sort(lookup.names, settled, parameterItemOf);
    return answerOf('parameters', sorted, () =>
      getParametersBody(
        sorted.items,
        sorted.notFound.map(({ id }) => id),
        sorted.failed.map(({ id, error }) => itemError(id, error)),
      ),
    );
  };

  const readByPath = async (lookup: ByPathLookup): Promise<Answer> => {
    const entry = await cache.get(
      'ssm',
      lookup.key,
      async () => {
        const loaded = await backends();
        const { parameters } = await loaded.getParametersByPath(lookup, MAX_BY_PATH_PARAMETERS);
        const { withDecryption } = lookup;
        for (const { name, json } of parameters) {
          cache.put('ssm', parameterKey(name, withDecryption), json, () =>
            loaded.getParameter({ name, withDecryption }),
          );
        }
        return parametersByPathBody(parameters.map((parameter) => parameterItemOf(parameter.json)));
      },
      { refresh: lookup.refreshNow },
    );
    return entry.value;
  };

  const readSecrets = async (lookup: SecretsLookup): Promise<Answer> => {
    const fetchMany = byKey(
      lookup.keys,
      lookup.secretIds,
      async (ids) => readSecretValues(await backends(), ids),
      (json) => json,
    );
    const settled = await cache.getMany('secretsManager', lookup.keys, fetchMany, {
      refresh: lookup.refreshNow,
    });
    const sorted = sort(lookup.secretIds, settled, secretItemOf);
    return answerOf('secrets', sorted, () =>
      batchGetSecretValueBody(
        sorted.items,
        [...sorted.notFound, ...sorted.failed].map(({ id, error }) => itemError(id, error)),
      ),
    );
  };

  return (lookup) => {
    if (logger.enabled('DEBUG')) logger.debug(`batch read: ${lookup.kind}`);
    switch (lookup.kind) {
      case 'parameters':
        return readParameters(lookup);
      case 'by-path':
        return readByPath(lookup);
      case 'secrets':
        return readSecrets(lookup);
    }
  };
}
