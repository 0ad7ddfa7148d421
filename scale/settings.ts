/**
 * The model's knobs, from SCALE_* environment variables (the defaults are the burst: 1,000
 * sandboxes over 10 s, each reading 5 parameters and 2 secrets). An invalid value stops the run, naming
 * the variable.
 */
import { STRATEGIES } from './sandbox/strategies.js';
import { DEFAULT_QUOTAS, HIGHER_THROUGHPUT_QUOTAS, type QuotaProfile } from './standin/quotas.js';

export interface Settings {
  /** The burst modelled. */
  readonly sandboxes: number;
  /**
   * Each run hosts sandboxes / factor real sandboxes against every quota / factor (same demand-to-quota
   * ratio, same per-sandbox SDK behaviour); counts are multiplied back. 1 runs every sandbox for real.
   */
  readonly factor: number;
  /** Runs at once (each a stand-in process and a host process). */
  readonly parallel: number;
  readonly windowMs: number;
  readonly parameters: number;
  readonly secrets: number;
  readonly ttlMs: number;
  readonly invokeIntervalMs: number;
  readonly runtimeInitMs: number;
  /** How long after the last refresh wave a run goes on. */
  readonly tailMs: number;
  readonly latencyMs: number;
  readonly latencyJitterMs: number;
  readonly strategies: readonly string[];
  readonly quotas: readonly QuotaProfile[];
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new Error(`${name} is ${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function list<T>(env: Env, name: string, all: readonly T[], nameOf: (item: T) => string): readonly T[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return all;
  return raw.split(',').map((wanted) => {
    const found = all.find((item) => nameOf(item) === wanted.trim());
    if (found === undefined) {
      throw new Error(`${name}: no ${JSON.stringify(wanted)}; choose from ${all.map(nameOf).join(', ')}`);
    }
    return found;
  });
}

export function readSettings(env: Env): Settings {
  return {
    sandboxes: integer(env, 'SCALE_SANDBOXES', 1000, 1, 5000),
    factor: integer(env, 'SCALE_FACTOR', 20, 1, 100),
    parallel: integer(env, 'SCALE_PARALLEL', 2, 1, 4),
    windowMs: integer(env, 'SCALE_WINDOW_MS', 10_000, 0, 120_000),
    parameters: integer(env, 'SCALE_PARAMETERS', 5, 0, 50),
    secrets: integer(env, 'SCALE_SECRETS', 2, 0, 40),
    ttlMs: integer(env, 'SCALE_TTL_MS', 20_000, 1000, 300_000),
    invokeIntervalMs: integer(env, 'SCALE_INVOKE_INTERVAL_MS', 1000, 100, 60_000),
    runtimeInitMs: integer(env, 'SCALE_RUNTIME_INIT_MS', 150, 0, 10_000),
    tailMs: integer(env, 'SCALE_TAIL_MS', 5000, 0, 120_000),
    latencyMs: integer(env, 'SCALE_LATENCY_MS', 10, 0, 5000),
    latencyJitterMs: integer(env, 'SCALE_LATENCY_JITTER_MS', 10, 0, 5000),
    strategies: list(env, 'SCALE_STRATEGIES', STRATEGIES, (s) => s.name).map((s) => s.name),
    quotas: list(env, 'SCALE_QUOTAS', [DEFAULT_QUOTAS, HIGHER_THROUGHPUT_QUOTAS], (q) => q.name),
  };
}
