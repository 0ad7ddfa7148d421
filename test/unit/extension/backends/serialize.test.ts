import { describe, expect, it } from 'vitest';
import { parameterBody, secretBody } from '../../../../extension/src/backends/serialize.js';

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
