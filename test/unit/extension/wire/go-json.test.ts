import { describe, expect, it } from 'vitest';
import { goJson, goJsonEscape, goTime } from '../../../../extension/src/wire/go-json.js';

describe('goTime', () => {
  it("prints dates like Go's RFC3339Nano", () => {
    expect(goTime(new Date('2022-11-16T08:22:40.362Z'))).toBe('2022-11-16T08:22:40.362Z');
    expect(goTime(new Date('2022-11-16T08:22:40.300Z'))).toBe('2022-11-16T08:22:40.3Z');
    expect(goTime(new Date('2022-11-16T08:22:40.000Z'))).toBe('2022-11-16T08:22:40Z');
    expect(goTime(undefined)).toBeNull();
  });
});

describe('goJson', () => {
  it('escapes <, >, & and U+2028/U+2029 as Go does, and nothing else', () => {
    expect(goJson({ v: 'a<b>&c\u2028\u2029é"' })).toBe('{"v":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029é\\""}');
    expect(goJsonEscape('plain')).toBe('plain');
  });
});
