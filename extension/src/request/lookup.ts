/**
 * Turns a request (path + query) into what to fetch and the cache key to fetch it under.
 * Validates before any backend call: required names, boolean flags, and AWS's length limits.
 */
import { parseBoolean } from '../config.js';
import { RequestError } from './errors.js';
import { firstOf, firstValue, parseQuery, type QueryPairs } from './query.js';

export const PARAMETER_PATHS = ['/systemsmanager/parameters/get', '/systemsmanager/parameters/get/'] as const;
export const SECRET_PATHS = ['/secretsmanager/get', '/secretsmanager/get/'] as const;
export const PING_PATH = '/ping';

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
  readonly service: 'secretsmanager';
  readonly key: string;
  readonly secretId: string;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
  readonly refreshNow: boolean;
}

export type Lookup = ParameterLookup | SecretLookup;

function flag(pairs: QueryPairs, key: string): boolean {
  const raw = firstValue(pairs, key);
  if (raw === undefined || raw === '') return false;
  const parsed = parseBoolean(raw);
  if (parsed === undefined) {
    throw new RequestError(400, 'InvalidParameter', `query parameter '${key}' must be true or false`);
  }
  return parsed;
}

function required(pairs: QueryPairs, key: string): string {
  const value = firstValue(pairs, key);
  if (value === undefined || value === '') {
    throw new RequestError(400, 'MissingParameter', `query parameter '${key}' is required`);
  }
  return value;
}

function optional(pairs: QueryPairs, key: string): string | undefined {
  const value = firstValue(pairs, key);
  return value === undefined || value === '' ? undefined : value;
}

function limit(value: string | undefined, max: number, what: string): void {
  if (value !== undefined && value.length > max) {
    throw new RequestError(
      400,
      'InvalidParameter',
      `${what} is longer than the ${max} characters AWS allows`,
    );
  }
}

/** Cache keys hold every qualifier; NUL cannot occur in a decoded AWS name, so it separates fields safely. */
export function parameterKey(name: string, withDecryption: boolean): string {
  return `ssm\u0000${withDecryption ? '1' : '0'}\u0000${name}`;
}

export function secretKey(
  secretId: string,
  versionId: string | undefined,
  versionStage: string | undefined,
): string {
  return `sm\u0000${secretId}\u0000${versionId ?? ''}\u0000${versionStage ?? ''}`;
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
    service: 'secretsmanager',
    key: secretKey(secretId, versionId, versionStage),
    secretId,
    versionId,
    versionStage,
    refreshNow: flag(pairs, 'refreshNow'),
  };
}

/** The lookup for a known route path, or undefined for any other path. */
export function lookupFor(path: string, search: string): Lookup | undefined {
  if (path === PARAMETER_PATHS[0] || path === PARAMETER_PATHS[1]) return parameterLookup(search);
  if (path === SECRET_PATHS[0] || path === SECRET_PATHS[1]) return secretLookup(search);
  return undefined;
}
