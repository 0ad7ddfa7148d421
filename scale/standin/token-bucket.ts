/**
 * A token bucket, the shape AWS's request-rate quotas take: `rate` tokens per second up to `capacity`,
 * one token per call; a call that finds the bucket empty is throttled. The clock is passed in, so the
 * bucket is exact under test and real in the stand-in.
 */
export class TokenBucket {
  readonly rate: number;
  readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(rate: number, capacity: number, now: number) {
    this.rate = rate;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token if there is one. `now` is in milliseconds and never goes backwards. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.rate);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
