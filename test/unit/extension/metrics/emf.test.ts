import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyCacheStats } from '../../../../extension/src/cache/value-cache.js';
import { EMF_NAMESPACE, EmfReporter, emfLine } from '../../../../extension/src/metrics/emf.js';
import { Metrics } from '../../../../extension/src/metrics/metrics.js';
import { emfProblems } from '../../../helpers/emf-spec.js';

const stats = emptyCacheStats;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('emfLine', () => {
  it('is valid EMF: namespace, the FunctionName dimension, counters as deltas, latency in ms', () => {
    const counters = stats();
    const metrics = new Metrics(counters);
    const first = metrics.snapshot();
    counters.hits = 5;
    metrics.recordCall('ssm', 12.5, undefined);
    metrics.recordCall('ssm', 30, { code: 'ThrottlingException', throttled: true });

    const line = emfLine(first, metrics.snapshot(), 'my-function', Date.now()) as string;

    expect(emfProblems(line)).toEqual([]);
    const parsed = JSON.parse(line);
    expect(parsed._aws.CloudWatchMetrics[0].Namespace).toBe(EMF_NAMESPACE);
    expect(parsed._aws.CloudWatchMetrics[0].Dimensions).toEqual([['FunctionName']]);
    expect(parsed).toMatchObject({
      FunctionName: 'my-function',
      CacheHits: 5,
      SsmBackendCalls: 2,
      SsmThrottles: 1,
      SsmLatencyMax: 30,
      BackendErrorsByCode: { ssm: { ThrottlingException: 1 } },
    });
    // Secrets Manager was not called: no latency metrics for it.
    expect(parsed.SecretsManagerLatencyP50).toBeUndefined();
  });

  it('is undefined when no counter moved', () => {
    const metrics = new Metrics(stats());
    expect(emfLine(metrics.snapshot(), metrics.snapshot(), 'f', Date.now())).toBeUndefined();
  });

  it('the spec check catches what CloudWatch would reject', () => {
    expect(
      emfProblems(
        '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["D"]],"Metrics":[{"Name":"M"}]}]}}',
      ),
    ).toHaveLength(2);
  });
});

describe('EmfReporter', () => {
  it('writes at most once a minute, only when there is news, and once more on close', () => {
    const counters = stats();
    const metrics = new Metrics(counters);
    const lines: string[] = [];
    const reporter = new EmfReporter(
      () => metrics.snapshot(),
      'f',
      (line) => lines.push(line),
    );

    counters.hits++;
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);

    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(1);

    counters.misses++;
    reporter.close();
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ CacheMisses: 1, CacheHits: 0 });
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
  });
});
