/**
 * The query rules of the batch reads: the same as the single reads' (http/lookup.ts: Go's query parsing,
 * required values, boolean flags, AWS's length limits per name), with the list given as one
 * comma-separated value (neither an SSM name nor a secret id can hold a comma). Repeated items are read
 * once; the answer lists each once, in the order first asked.
 */
import { parameterKey, pathKey, secretKey } from '../cache/keys.js';
import { RequestError } from '../errors.js';
import { emptyListItem, INVALID_PARAMETER, listTooLong, tooLong } from '../messages.js';
import { flag, LIMITS, required } from './lookup.js';
import { parseQuery, type QueryPairs } from './query.js';

/** Items one batch request may list (each backend call takes 10 or 20 of them). */
export const MAX_BATCH_ITEMS = 50;

export interface ParametersLookup {
  readonly kind: 'parameters';
  /** Names as asked (`name`, `name:selector` or an ARN), each once; `keys[i]` is `names[i]`'s cache key. */
  readonly names: readonly string[];
  readonly keys: readonly string[];
  readonly withDecryption: boolean;
  readonly refreshNow: boolean;
}

export interface ByPathLookup {
  readonly kind: 'by-path';
  readonly key: string;
  readonly path: string;
  readonly recursive: boolean;
  readonly withDecryption: boolean;
  readonly refreshNow: boolean;
}

export interface SecretsLookup {
  readonly kind: 'secrets';
  readonly secretIds: readonly string[];
  readonly keys: readonly string[];
  readonly refreshNow: boolean;
}

export type BatchLookup = ParametersLookup | ByPathLookup | SecretsLookup;

function list(pairs: QueryPairs, key: string, maxLength: number, what: string): string[] {
  const items = [...new Set(required(pairs, key).split(','))];
  if (items.length > MAX_BATCH_ITEMS) {
    throw new RequestError(INVALID_PARAMETER, listTooLong(key, MAX_BATCH_ITEMS));
  }
  for (const item of items) {
    if (item === '') throw new RequestError(INVALID_PARAMETER, emptyListItem(key));
    if (item.length > maxLength) throw new RequestError(INVALID_PARAMETER, tooLong(what, maxLength));
  }
  return items;
}

export function parametersLookup(search: string): ParametersLookup {
  const pairs = parseQuery(search);
  const names = list(pairs, 'names', LIMITS.parameterName, 'parameter name');
  const withDecryption = flag(pairs, 'withDecryption');
  return {
    kind: 'parameters',
    names,
    keys: names.map((name) => parameterKey(name, withDecryption)),
    withDecryption,
    refreshNow: flag(pairs, 'refreshNow'),
  };
}

export function byPathLookup(search: string): ByPathLookup {
  const pairs = parseQuery(search);
  const path = required(pairs, 'path');
  if (path.length > LIMITS.parameterName) {
    throw new RequestError(INVALID_PARAMETER, tooLong('path', LIMITS.parameterName));
  }
  const recursive = flag(pairs, 'recursive');
  const withDecryption = flag(pairs, 'withDecryption');
  return {
    kind: 'by-path',
    key: pathKey(path, recursive, withDecryption),
    path,
    recursive,
    withDecryption,
    refreshNow: flag(pairs, 'refreshNow'),
  };
}

export function secretsLookup(search: string): SecretsLookup {
  const pairs = parseQuery(search);
  const secretIds = list(pairs, 'secretIds', LIMITS.secretId, 'secretId');
  return {
    kind: 'secrets',
    secretIds,
    keys: secretIds.map((id) => secretKey(id, undefined, undefined)),
    refreshNow: flag(pairs, 'refreshNow'),
  };
}
