import { describe, expect, it } from 'vitest';
import { goDuration, parseBoolean } from '../../../../extension/src/wire/go-values.js';

describe('parseBoolean', () => {
  it("accepts Go's ParseBool spellings in any case", () => {
    for (const value of ['true', 'TRUE', 'True', 't', '1']) expect(parseBoolean(value)).toBe(true);
    for (const value of ['false', 'FALSE', 'f', '0']) expect(parseBoolean(value)).toBe(false);
    expect(parseBoolean('yes')).toBeUndefined();
  });
});

describe('goDuration', () => {
  it("renders durations like Go's time.Duration", () => {
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(300_000)).toBe('5m0s');
    expect(goDuration(1_500)).toBe('1.5s');
    expect(goDuration(250)).toBe('250ms');
    expect(goDuration(3_600_000)).toBe('1h0m0s');
  });
});
