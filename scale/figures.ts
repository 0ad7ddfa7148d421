/** The figures of one run, from the sandboxes' outcomes and the stand-in's counts. Pure. */
import type { SandboxOutcome } from './sandbox/sandbox.js';
import type { StandInStats } from './standin/server.js';

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ReadFigures {
  readonly initReads: number;
  readonly initFailed: number;
  readonly invokeReads: number;
  readonly invokeFailed: number;
  /** Sandboxes whose first INIT saw at least one failed read (Lambda would report an INIT error). */
  readonly failedInits: number;
  /** Failed reads by the error code the function saw. */
  readonly failureCodes: Record<string, number>;
  readonly initLatencyMs: Latency;
  /** Reads on invokes: hits, refreshes (a stale answer waits for the failed refresh) and INIT retries. */
  readonly invokeLatencyMs: Latency;
  /** Sandboxes whose INIT took longer than Lambda's 10 s INIT limit (Lambda would stop and retry it). */
  readonly initsOverLimit: number;
  /** When the last sandbox had every value, ms after the burst's start; null if some never did. */
  readonly fullyServedMs: number | null;
  readonly unservedSandboxes: number;
}

/** Lambda stops an INIT phase after 10 s and retries it at the first invoke. */
export const INIT_LIMIT_MS = 10_000;

export interface BackendFigures {
  readonly calls: number;
  readonly throttled: number;
  readonly byApi: Record<string, { calls: number; throttled: number }>;
}

/** Nearest-rank percentile of an unsorted list (0 for an empty one). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

export function readFigures(sandboxes: readonly SandboxOutcome[]): ReadFigures {
  const init = sandboxes.flatMap((s) => s.reads.filter((r) => r.phase === 'init'));
  const invoke = sandboxes.flatMap((s) => s.reads.filter((r) => r.phase === 'invoke'));
  const failureCodes: Record<string, number> = {};
  for (const read of [...init, ...invoke]) {
    if (read.failure !== undefined) failureCodes[read.failure] = (failureCodes[read.failure] ?? 0) + 1;
  }
  const latency = (reads: readonly { latencyMs: number }[]): Latency => {
    const values = reads.map((r) => r.latencyMs);
    return {
      p50: percentile(values, 50),
      p99: percentile(values, 99),
      max: values.reduce((a, b) => Math.max(a, b), 0),
    };
  };
  const served = sandboxes.map((s) => s.servedAt);
  const unserved = served.filter((at) => at === undefined).length;
  return {
    initReads: init.length,
    initFailed: init.filter((r) => r.failure !== undefined).length,
    invokeReads: invoke.length,
    invokeFailed: invoke.filter((r) => r.failure !== undefined).length,
    failedInits: sandboxes.filter((s) => s.reads.some((r) => r.phase === 'init' && r.failure !== undefined))
      .length,
    failureCodes,
    initLatencyMs: latency(init),
    invokeLatencyMs: latency(invoke),
    initsOverLimit: sandboxes.filter((s) => s.initMs > INIT_LIMIT_MS).length,
    fullyServedMs: unserved > 0 ? null : served.reduce<number>((a, b) => Math.max(a, b ?? 0), 0),
    unservedSandboxes: unserved,
  };
}

export function backendFigures(stats: StandInStats): BackendFigures {
  const apis = Object.entries(stats.apis);
  return {
    calls: apis.reduce((sum, [, s]) => sum + s.calls, 0),
    throttled: apis.reduce((sum, [, s]) => sum + s.throttled, 0),
    byApi: Object.fromEntries(apis.filter(([, s]) => s.calls > 0)),
  };
}

/**
 * The largest excess of accepted calls over what a token bucket of (rate, capacity) allows in any
 * interval [t_i, t_j]: j - i + 1 - capacity - rate * (t_j - t_i). Never above 0 if the quota held.
 */
export function quotaExcess(acceptedAt: readonly number[], rate: number, capacity: number): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < acceptedAt.length; i++) {
    const from = acceptedAt[i] ?? 0;
    for (let j = i; j < acceptedAt.length; j++) {
      const to = acceptedAt[j] ?? 0;
      worst = Math.max(worst, j - i + 1 - capacity - (rate * (to - from)) / 1000);
    }
  }
  return acceptedAt.length === 0 ? 0 : worst;
}
