import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../scale/standin/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a full bucket burst, then admits at the rate', () => {
    const bucket = new TokenBucket(40, 40, 0);
    const burst = Array.from({ length: 100 }, () => bucket.take(0)).filter(Boolean).length;
    expect(burst).toBe(40);
    expect(bucket.take(10)).toBe(false); // 10 ms refills 0.4 of a token
    expect(bucket.take(25)).toBe(true); // 25 ms: one whole token
    expect(bucket.take(25)).toBe(false);
  });

  it('never holds more than its capacity, however long it idles', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const admitted = Array.from({ length: 50 }, () => bucket.take(60_000)).filter(Boolean).length;
    expect(admitted).toBe(5);
  });

  it('admits at most capacity + rate x time over a steady overload', () => {
    const bucket = new TokenBucket(20, 20, 0);
    let admitted = 0;
    for (let t = 0; t <= 5000; t += 1) if (bucket.take(t)) admitted += 1; // 1,000 asks per second
    expect(admitted).toBeLessThanOrEqual(20 + 20 * 5);
    expect(admitted).toBeGreaterThanOrEqual(20 * 5);
  });

  it('ignores a clock that goes backwards instead of minting tokens', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(1500)).toBe(false);
    expect(bucket.take(2000)).toBe(true);
  });
});
