/**
 * The metrics as CloudWatch Embedded Metric Format: one JSON log line on stdout, which Lambda sends to
 * CloudWatch Logs, where it becomes metrics with no API call. Opt-in (PARAMETERS_SECRETS_EXTENSION_METRICS_EMF).
 *
 * Counters are the change since the previous line (CloudWatch sums them); latencies are the service's
 * current p50/p99/max, given only when the service was called since the previous line. A line is
 * written at most once a minute and only when a counter moved, plus once at shutdown if there is news.
 * Errors by code ride along as a plain property (searchable in Logs Insights, not a metric).
 */
import { SERVICES, type Service } from '../service.js';
import type { MetricsSnapshot } from './metrics.js';

export const EMF_NAMESPACE = 'ParametersSecretsExtension';
export const EMF_DIMENSION = 'FunctionName';
export const EMF_INTERVAL_MS = 60_000;

const CACHE_METRICS = {
  hits: 'CacheHits',
  misses: 'CacheMisses',
  staleAnswers: 'StaleAnswers',
  refreshesAhead: 'RefreshesAhead',
  refreshAheadFailures: 'RefreshAheadFailures',
  evictions: 'Evictions',
} as const;

const PREFIX: Readonly<Record<Service, string>> = { ssm: 'Ssm', secretsManager: 'SecretsManager' };

type Counts = Record<string, number>;

/** Every counter of a snapshot under its EMF metric name. */
function counters(snapshot: MetricsSnapshot): Counts {
  const counts: Counts = {};
  for (const [field, name] of Object.entries(CACHE_METRICS)) {
    counts[name] = snapshot.cache[field as keyof typeof CACHE_METRICS];
  }
  for (const service of SERVICES) {
    const calls = snapshot.backends[service];
    counts[`${PREFIX[service]}BackendCalls`] = calls.calls;
    counts[`${PREFIX[service]}BackendErrors`] = calls.errors;
    counts[`${PREFIX[service]}Throttles`] = calls.throttles;
  }
  return counts;
}

/**
 * The EMF line for what changed between `previous` and `current`, or undefined when nothing did.
 * `functionName` is the dimension's value.
 */
export function emfLine(
  previous: MetricsSnapshot | undefined,
  current: MetricsSnapshot,
  functionName: string,
  timestamp: number,
): string | undefined {
  const now = counters(current);
  const before = previous === undefined ? undefined : counters(previous);
  const deltas: Counts = {};
  let news = false;
  for (const [name, value] of Object.entries(now)) {
    deltas[name] = value - (before?.[name] ?? 0);
    if (deltas[name] !== 0) news = true;
  }
  if (!news) return undefined;
  const metrics: Array<{ Name: string; Unit: string }> = Object.keys(deltas).map((Name) => ({
    Name,
    Unit: 'Count',
  }));
  const values: Record<string, number> = { ...deltas };
  const errorsByCode: Record<string, Record<string, number>> = {};
  for (const service of SERVICES) {
    const calls = current.backends[service];
    errorsByCode[service] = { ...calls.errorsByCode };
    if (calls.latencyMs === null || deltas[`${PREFIX[service]}BackendCalls`] === 0) continue;
    for (const [stat, value] of Object.entries(calls.latencyMs)) {
      const name = `${PREFIX[service]}Latency${stat[0]?.toUpperCase()}${stat.slice(1)}`;
      metrics.push({ Name: name, Unit: 'Milliseconds' });
      values[name] = value;
    }
  }
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [[EMF_DIMENSION]], Metrics: metrics }],
    },
    [EMF_DIMENSION]: functionName,
    ...values,
    BackendErrorsByCode: errorsByCode,
  });
}

/** Writes a line when there is news, at most once per interval, and once more on flush (SHUTDOWN). */
export class EmfReporter {
  private previous: MetricsSnapshot | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly snapshot: () => MetricsSnapshot;
  private readonly functionName: string;
  private readonly write: (line: string) => void;

  constructor(
    snapshot: () => MetricsSnapshot,
    functionName: string,
    write: (line: string) => void,
    intervalMs = EMF_INTERVAL_MS,
  ) {
    this.snapshot = snapshot;
    this.functionName = functionName;
    this.write = write;
    // unref: the reporter never keeps the process alive; a frozen sandbox simply skips minutes.
    this.timer = setInterval(() => this.flush(), intervalMs).unref();
  }

  flush(): void {
    const current = this.snapshot();
    const line = emfLine(this.previous, current, this.functionName, Date.now());
    this.previous = current;
    if (line !== undefined) this.write(`${line}\n`);
  }

  /** The last line (SHUTDOWN), then no more. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
