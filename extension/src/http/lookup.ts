/**
 * The query rules: a request's query string → what to fetch and the cache key to fetch it under.
 * Validates before any backend call: required names, boolean flags, and AWS's length limits.
 */
import { parameterKey, secretKey } from '../cache/keys.js';
import { RequestError } from '../errors.js';
import {
  INVALID_PARAMETER,
  MISSING_PARAMETER,
  missingQueryParameter,
  notABoolean,
  tooLong,
} from '../messages.js';
import { parseBoolean } from '../wire/go-values.js';
import { firstOf, firstValue, parseQuery, type QueryPairs } from './query.js';

/** AWS API limits (GetParameter Name incl. selector, GetSecretValue SecretId/VersionId/VersionStage, label). */
export const LIMITS = {
  parameterName: 2048,
  parameterLabel: 100,
  parameterVersion: 20,
  secretId: 2048,
  versionId: 64,
  versionStage: 256,
} as const;

export interface ParameterLookup {
  readonly service: 'ssm';
  readonly key: string;
  /** Name as SSM receives it: `name` or `name:selector`. */
  readonly name: string;
  readonly withDecryption: boolean;
  readonly refreshNow: boolean;
}

export interface SecretLookup {
  readonly service: 'secretsManager';
  readonly key: string;
  readonly secretId: string;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
  readonly refreshNow: boolean;
}

export type Lookup = ParameterLookup | SecretLookup;

export function flag(pairs: QueryPairs, key: string): boolean {
  const raw = firstValue(pairs, key);
  if (raw === undefined || raw === '') return false;
  const parsed = parseBoolean(raw);
  if (parsed === undefined) {
    throw new RequestError(INVALID_PARAMETER, notABoolean(key));
  }
  return parsed;
}

export function required(pairs: QueryPairs, key: string): string {
  const value = firstValue(pairs, key);
  if (value === undefined || value === '') {
    throw new RequestError(MISSING_PARAMETER, missingQueryParameter(key));
  }
  return value;
}

function optional(pairs: QueryPairs, key: string): string | undefined {
  const value = firstValue(pairs, key);
  return value === undefined || value === '' ? undefined : value;
}

function limit(value: string | undefined, max: number, what: string): void {
  if (value !== undefined && value.length > max) {
    throw new RequestError(INVALID_PARAMETER, tooLong(what, max));
  }
}

export function parameterLookup(search: string): ParameterLookup {
  const pairs = parseQuery(search);
  const base = required(pairs, 'name');
  const selectorPair = firstOf(pairs, ['version', 'label']);
  const selector = selectorPair !== undefined && selectorPair[1] !== '' ? selectorPair : undefined;
  if (selector !== undefined) {
    limit(
      selector[1],
      selector[0] === 'version' ? LIMITS.parameterVersion : LIMITS.parameterLabel,
      `parameter ${selector[0]}`,
    );
  }
  const name = selector === undefined ? base : `${base}:${selector[1]}`;
  limit(name, LIMITS.parameterName, 'parameter name');
  const withDecryption = flag(pairs, 'withDecryption');
  return {
    service: 'ssm',
    key: parameterKey(name, withDecryption),
    name,
    withDecryption,
    refreshNow: flag(pairs, 'refreshNow'),
  };
}

export function secretLookup(search: string): SecretLookup {
  const pairs = parseQuery(search);
  const secretId = required(pairs, 'secretId');
  limit(secretId, LIMITS.secretId, 'secretId');
  const versionId = optional(pairs, 'versionId');
  limit(versionId, LIMITS.versionId, 'versionId');
  const versionStage = optional(pairs, 'versionStage');
  limit(versionStage, LIMITS.versionStage, 'versionStage');
  return {
    service: 'secretsManager',
    key: secretKey(secretId, versionId, versionStage),
    secretId,
    versionId,
    versionStage,
    refreshNow: flag(pairs, 'refreshNow'),
  };
}
