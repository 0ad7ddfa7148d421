import { describe, expect, it } from 'vitest';
import { firstValue, parseQuery } from '../../../../extension/src/http/query.js';

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
