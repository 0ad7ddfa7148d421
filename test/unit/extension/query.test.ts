import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../extension/src/request/errors.js';
import { LIMITS, parameterLookup, secretLookup } from '../../../extension/src/request/lookup.js';
import { firstValue, parseQuery, splitTarget } from '../../../extension/src/request/query.js';

describe('parseQuery', () => {
  it('decodes percent-encoding and keeps raw / and :', () => {
    const pairs = parseQuery('name=%2Fa%2Fb&arn=arn:aws:ssm:us-east-1:1:parameter/x');
    expect(firstValue(pairs, 'name')).toBe('/a/b');
    expect(firstValue(pairs, 'arn')).toBe('arn:aws:ssm:us-east-1:1:parameter/x');
  });

  it("turns + into a space, like Go's net/url", () => {
    expect(firstValue(parseQuery('secretId=a+b%2Bc'), 'secretId')).toBe('a b+c');
  });

  it('keeps the first value of a repeated key', () => {
    expect(firstValue(parseQuery('name=first&name=second'), 'name')).toBe('first');
  });

  it('drops malformed escapes, non-UTF-8 bytes and pairs with ;', () => {
    const pairs = parseQuery('a=%zz&b=%ff&c=x;y&d=ok');
    expect(pairs).toEqual([['d', 'ok']]);
  });

  it('treats a key without = as an empty value', () => {
    expect(parseQuery('flag&x=1')).toEqual([
      ['flag', ''],
      ['x', '1'],
    ]);
  });
});

describe('splitTarget', () => {
  it('collapses duplicate slashes in the path only', () => {
    expect(splitTarget('//secretsmanager//get?secretId=a//b')).toEqual({
      path: '/secretsmanager/get',
      search: 'secretId=a//b',
    });
  });
});

describe('parameterLookup', () => {
  it('sends version or label as name:selector, the first in the URL winning', () => {
    expect(parameterLookup('name=p&version=3').name).toBe('p:3');
    expect(parameterLookup('name=p&label=Dev&version=1').name).toBe('p:Dev');
    expect(parameterLookup('version=1&name=p&label=Dev').name).toBe('p:1');
  });

  it('defaults withDecryption to false and puts it in the cache key', () => {
    const plain = parameterLookup('name=/s');
    const decrypted = parameterLookup('name=/s&withDecryption=true');
    expect(plain.withDecryption).toBe(false);
    expect(decrypted.withDecryption).toBe(true);
    expect(plain.key).not.toBe(decrypted.key);
  });

  it('gives raw and encoded spellings the same key', () => {
    expect(parameterLookup('name=%2Fa%2Fb').key).toBe(parameterLookup('name=/a/b').key);
  });

  it('refuses a missing name, a bad boolean and over-long names before any backend call', () => {
    expect(() => parameterLookup('')).toThrow(RequestError);
    expect(() => parameterLookup('name=p&withDecryption=yes')).toThrow(/withDecryption/);
    expect(() => parameterLookup(`name=${'a'.repeat(LIMITS.parameterName + 1)}`)).toThrow(/longer than/);
    expect(() => parameterLookup(`name=p&label=${'l'.repeat(LIMITS.parameterLabel + 1)}`)).toThrow(
      /longer than/,
    );
  });

  it('reads refreshNow', () => {
    expect(parameterLookup('name=p&refreshNow=true').refreshNow).toBe(true);
    expect(parameterLookup('name=p').refreshNow).toBe(false);
  });
});

describe('secretLookup', () => {
  it('reads secretId, versionId and versionStage into the key', () => {
    const lookup = secretLookup(
      'secretId=arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf&versionStage=AWSPREVIOUS',
    );
    expect(lookup).toMatchObject({
      secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf',
      versionStage: 'AWSPREVIOUS',
      versionId: undefined,
    });
    expect(lookup.key).not.toBe(
      secretLookup('secretId=arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf').key,
    );
  });

  it('ignores unknown parameters such as withDecryption', () => {
    expect(secretLookup('secretId=s&withDecryption=true').secretId).toBe('s');
  });

  it('refuses over-long ids before any backend call', () => {
    expect(() => secretLookup(`secretId=${'s'.repeat(LIMITS.secretId + 1)}`)).toThrow(/longer than/);
    expect(() => secretLookup(`secretId=s&versionId=${'v'.repeat(LIMITS.versionId + 1)}`)).toThrow(
      /versionId/,
    );
    expect(() => secretLookup('versionStage=AWSCURRENT')).toThrow(/secretId/);
  });
});
