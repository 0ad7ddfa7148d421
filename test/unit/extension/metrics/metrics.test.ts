import { describe, expect, it } from 'vitest';
import { emptyCacheStats } from '../../../../extension/src/cache/value-cache.js';
import { LATENCY_WINDOW, Metrics } from '../../../../extension/src/metrics/metrics.js';

const stats = emptyCacheStats;

describe('Metrics', () => {
  it('counts calls, errors by code and throttles per service, with latency p50/p99/max', () => {
    const metrics = new Metrics(stats());
    for (let ms = 1; ms <= 100; ms++) metrics.recordCall('ssm', ms, undefined);
    metrics.recordCall('ssm', 500, { code: 'ThrottlingException', throttled: true });
    metrics.recordCall('ssm', 3, { code: 'ParameterNotFound', throttled: false });

    const { ssm, secretsManager } = metrics.snapshot().backends;
    expect(ssm).toMatchObject({
      calls: 102,
      errors: 2,
      throttles: 1,
      errorsByCode: { ThrottlingException: 1, ParameterNotFound: 1 },
    });
    expect(ssm.latencyMs).toEqual({ p50: 50, p99: 100, max: 500 });
    expect(secretsManager).toMatchObject({ calls: 0, latencyMs: null });
  });

  it('keeps latency over a bounded window and a bounded table of codes', () => {
    const metrics = new Metrics(stats());
    for (let i = 0; i < LATENCY_WINDOW; i++) metrics.recordCall('secretsManager', 1_000, undefined);
    for (let i = 0; i < LATENCY_WINDOW; i++) metrics.recordCall('secretsManager', 2, undefined);
    for (let i = 0; i < 50; i++)
      metrics.recordCall('secretsManager', 2, { code: `Code${i}`, throttled: false });

    const { secretsManager } = metrics.snapshot().backends;
    expect(secretsManager.latencyMs).toEqual({ p50: 2, p99: 2, max: 1_000 });
    expect(Object.keys(secretsManager.errorsByCode)).toHaveLength(21);
    expect(secretsManager.errorsByCode.Other).toBe(30);
  });

  it("reads the cache's counters as they are when asked", () => {
    const counters = stats();
    const metrics = new Metrics(counters);
    counters.hits = 7;
    expect(metrics.snapshot().cache.hits).toBe(7);
  });
});
