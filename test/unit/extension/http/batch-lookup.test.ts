import { describe, expect, it } from 'vitest';
import { parameterKey, pathKey, secretKey } from '../../../../extension/src/cache/keys.js';
import {
  byPathLookup,
  MAX_BATCH_ITEMS,
  parametersLookup,
  secretsLookup,
} from '../../../../extension/src/http/batch-lookup.js';

const codeOf = (read: () => unknown): string | undefined => {
  try {
    read();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('batch lookups', () => {
  it('splits names on commas, once each, under the single reads keys', () => {
    const lookup = parametersLookup('names=/a,%2Fb,/a,/c:3&withDecryption=true');
    expect(lookup.names).toEqual(['/a', '/b', '/c:3']);
    expect(lookup.keys).toEqual(['/a', '/b', '/c:3'].map((name) => parameterKey(name, true)));
  });

  it('refuses what a single read refuses, and empty items and over-long lists', () => {
    expect(codeOf(() => parametersLookup(''))).toBe('MissingParameter');
    expect(codeOf(() => parametersLookup('names=/a,,/b'))).toBe('InvalidParameter');
    expect(codeOf(() => parametersLookup('names=/a&withDecryption=yes'))).toBe('InvalidParameter');
    expect(codeOf(() => parametersLookup(`names=/${'x'.repeat(2048)}`))).toBe('InvalidParameter');
    const list = (n: number) => Array.from({ length: n }, (_, i) => `/n${i}`).join(',');
    expect(codeOf(() => parametersLookup(`names=${list(MAX_BATCH_ITEMS)}`))).toBeUndefined();
    expect(codeOf(() => parametersLookup(`names=${list(MAX_BATCH_ITEMS + 1)}`))).toBe('InvalidParameter');
    expect(codeOf(() => secretsLookup(`secretIds=${'s'.repeat(2049)}`))).toBe('InvalidParameter');
  });

  it('keys a by-path read by path, recursion and decryption', () => {
    expect(byPathLookup('path=/app/&recursive=true').key).toBe(pathKey('/app/', true, false));
    expect(byPathLookup('path=/app/').key).not.toBe(byPathLookup('path=/app/&withDecryption=true').key);
    expect(codeOf(() => byPathLookup('recursive=true'))).toBe('MissingParameter');
  });

  it('reads secrets current versions under the single reads keys', () => {
    expect(secretsLookup('secretIds=a,b').keys).toEqual([
      secretKey('a', undefined, undefined),
      secretKey('b', undefined, undefined),
    ]);
  });
});
