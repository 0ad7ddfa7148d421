/**
 * What the extension counts, for GET /metrics and the EMF lines: the cache's counters (cache/value-cache.ts
 * keeps them), and per service the backend calls, their errors by code, throttles and latency.
 *
 * Nothing here can hold a value, a name or a token: only numbers and error codes, which are AWS's error
 * names (checked to be identifiers, backends/aws-errors.ts) or ours (messages.ts). Distinct codes are
 * bounded, so a misbehaving backend cannot grow the table.
 */
import type { CacheStats } from '../cache/value-cache.js';
import { SERVICES, type Service } from '../service.js';

/** Latency percentiles are over each service's last this many calls. */
export const LATENCY_WINDOW = 1_024;
/** Distinct error codes kept per service; the rest count under `Other`. */
const MAX_ERROR_CODES = 20;

/** How a backend call failed, as the backends report it. */
export interface CallFailure {
  readonly code: string;
  readonly throttled: boolean;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ServiceSnapshot {
  readonly calls: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly throttles: number;
  /** Milliseconds, over the last LATENCY_WINDOW calls (max: since start); null before the first call. */
  readonly latencyMs: LatencySummary | null;
}

export interface MetricsSnapshot {
  readonly cache: Readonly<CacheStats>;
  readonly backends: Readonly<Record<Service, ServiceSnapshot>>;
}

class ServiceCalls {
  calls = 0;
  errors = 0;
  throttles = 0;
  max = 0;
  readonly errorsByCode = new Map<string, number>();
  private readonly window = new Float64Array(LATENCY_WINDOW);
  private filled = 0;
  private next = 0;

  record(ms: number, failure: CallFailure | undefined): void {
    this.calls++;
    this.window[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_WINDOW;
    if (this.filled < LATENCY_WINDOW) this.filled++;
    if (ms > this.max) this.max = ms;
    if (failure === undefined) return;
    this.errors++;
    if (failure.throttled) this.throttles++;
    const code =
      this.errorsByCode.has(failure.code) || this.errorsByCode.size < MAX_ERROR_CODES
        ? failure.code
        : 'Other';
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }

  latency(): LatencySummary | null {
    if (this.filled === 0) return null;
    const sorted = this.window.slice(0, this.filled).sort();
    const at = (q: number) => round(sorted[Math.min(this.filled - 1, Math.ceil(q * this.filled) - 1)] ?? 0);
    return { p50: at(0.5), p99: at(0.99), max: round(this.max) };
  }

  snapshot(): ServiceSnapshot {
    return {
      calls: this.calls,
      errors: this.errors,
      errorsByCode: Object.fromEntries(this.errorsByCode),
      throttles: this.throttles,
      latencyMs: this.latency(),
    };
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export class Metrics {
  private readonly services: Record<Service, ServiceCalls> = {
    ssm: new ServiceCalls(),
    secretsManager: new ServiceCalls(),
  };
  private readonly cache: Readonly<CacheStats>;

  constructor(cache: Readonly<CacheStats>) {
    this.cache = cache;
  }

  /** One SDK call (its retries included) ended after `ms`, failed or not. */
  recordCall(service: Service, ms: number, failure: CallFailure | undefined): void {
    this.services[service].record(ms, failure);
  }

  snapshot(): MetricsSnapshot {
    const backends = {} as Record<Service, ServiceSnapshot>;
    for (const service of SERVICES) backends[service] = this.services[service].snapshot();
    return { cache: { ...this.cache }, backends };
  }
}
