import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../../extension/src/errors.js';
import { LIMITS, parameterLookup, secretLookup } from '../../../../extension/src/http/lookup.js';

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
