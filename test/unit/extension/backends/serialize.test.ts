import { describe, expect, it } from 'vitest';
import {
  batchGetSecretValueBody,
  getParametersBody,
  parameterBody,
  parameterItem,
  parameterItemOf,
  parametersByPathBody,
  secretBody,
  secretItem,
  secretItemOf,
} from '../../../../extension/src/backends/serialize.js';

describe('serialize', () => {
  it('fills every absent field with null (Version with 0)', () => {
    expect(JSON.parse(parameterBody({}))).toEqual({
      Parameter: {
        ARN: null,
        DataType: null,
        LastModifiedDate: null,
        Name: null,
        Selector: null,
        SourceResult: null,
        Type: null,
        Value: null,
        Version: 0,
      },
      ResultMetadata: {},
    });
    expect(Object.values(JSON.parse(secretBody({})))).toEqual([null, null, null, null, null, null, null, {}]);
  });
});

describe('batch bodies', () => {
  const parameter = { Name: '/a', Value: 'x<y>&"z"', Type: 'String', Version: 2 };
  const secret = { Name: 's', SecretString: '{"k":"<v>"}', VersionStages: ['AWSCURRENT'] };

  it('take each item out of the body a single read got, byte for byte', () => {
    expect(parameterItemOf(parameterBody(parameter))).toBe(parameterItem(parameter));
    expect(secretItemOf(secretBody(secret))).toBe(secretItem(secret));
    expect(parameterItem(parameter)).toContain('\\u003c');
  });

  it("list the fields of AWS's outputs in Go's order, with our Errors", () => {
    const item = parameterItem(parameter);
    const error = { id: '/b', code: 'ThrottlingException', message: 'Rate exceeded' };
    expect(Object.keys(JSON.parse(getParametersBody([item], ['/c'], [error])))).toEqual([
      'InvalidParameters',
      'Parameters',
      'Errors',
      'ResultMetadata',
    ]);
    expect(JSON.parse(getParametersBody([item], [], [error])).Errors).toEqual([
      { ErrorCode: 'ThrottlingException', Message: 'Rate exceeded', Name: '/b' },
    ]);
    expect(JSON.parse(parametersByPathBody([item, item]))).toEqual({
      Parameters: [JSON.parse(item), JSON.parse(item)],
      ResultMetadata: {},
    });
    const secrets = JSON.parse(batchGetSecretValueBody([secretItem(secret)], [{ ...error, id: 'gone' }]));
    expect(Object.keys(secrets)).toEqual(['Errors', 'SecretValues', 'ResultMetadata']);
    expect(secrets.Errors[0]).toEqual({
      ErrorCode: 'ThrottlingException',
      Message: 'Rate exceeded',
      SecretId: 'gone',
    });
    expect(secrets.SecretValues[0].SecretString).toBe('{"k":"<v>"}');
  });
});
