import { describe, expect, it } from 'vitest';
import { percentile, quotaExcess, readFigures } from '../../../scale/figures.js';
import type { SandboxOutcome } from '../../../scale/sandbox/sandbox.js';

describe('burst figures', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
  });

  it('finds calls above a token bucket in any interval', () => {
    // 10/s with a burst of 10: 10 at once is allowed, 11 is one too many; 10 more a second later is fine.
    expect(quotaExcess(Array(10).fill(0), 10, 10)).toBeLessThanOrEqual(0);
    expect(quotaExcess(Array(11).fill(0), 10, 10)).toBeCloseTo(1);
    expect(quotaExcess([...Array(10).fill(0), ...Array(10).fill(1000)], 10, 10)).toBeLessThanOrEqual(0);
    expect(quotaExcess([...Array(10).fill(0), ...Array(11).fill(1000)], 10, 10)).toBeCloseTo(1);
  });

  it('counts failed reads, failed INITs and when the burst was fully served', () => {
    const ok = { latencyMs: 5, failure: undefined, startedAt: 0 };
    const throttled = { latencyMs: 900, failure: 'ThrottlingException', startedAt: 0 };
    const sandboxes: SandboxOutcome[] = [
      {
        reads: [
          { ...ok, phase: 'init' },
          { ...ok, phase: 'init' },
        ],
        servedAt: 100,
        initMs: 50,
      },
      {
        reads: [
          { ...ok, phase: 'init' },
          { ...throttled, phase: 'init' },
          { ...ok, phase: 'invoke' },
        ],
        servedAt: 1200,
        initMs: 11_000,
      },
    ];
    const figures = readFigures(sandboxes);
    expect(figures).toMatchObject({
      initReads: 4,
      initFailed: 1,
      invokeReads: 1,
      invokeFailed: 0,
      failedInits: 1,
      failureCodes: { ThrottlingException: 1 },
      fullyServedMs: 1200,
      unservedSandboxes: 0,
      initsOverLimit: 1,
    });
    expect(figures.initLatencyMs.max).toBe(900);
    expect(
      readFigures([...sandboxes, { reads: [], servedAt: undefined, initMs: 0 }]).fullyServedMs,
    ).toBeNull();
  });
});
