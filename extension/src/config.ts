/**
 * Environment → validated configuration. Nothing else in the extension reads process.env.
 *
 * AWS's extension never fails init over a bad variable: it warns and uses a default (or clamps).
 * We do the same, and collect every problem as a message naming the variable and the value used,
 * so main can log each one once, after the socket is listening.
 */
import type { Service } from './service.js';
import { goDuration, parseBoolean } from './wire/go-values.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'NONE';

export interface ServiceConfig {
  /** Cache time-to-live in milliseconds; 0 means this service bypasses the cache. */
  readonly ttlMs: number;
  /** Per-request timeout for the SDK call in milliseconds; 0 means no timeout. */
  readonly timeoutMs: number;
}

/** Each service's settings under its own name (`config.ssm`, `config.secretsManager`). */
export interface Config extends Readonly<Record<Service, ServiceConfig>> {
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly cacheEnabled: boolean;
  readonly cacheSize: number;
  /** Outbound connection pool size of each AWS client. */
  readonly maxConnections: number;
  /** Serve an expired entry when its refresh fails with a transient error. */
  readonly staleOnError: boolean;
  /** Stale-on-error never serves a value older than this (ms since it was fetched); 0: no bound. */
  readonly staleMaxAgeMs: number;
  /** A hit past this percentage of its TTL is refreshed in the background; 0: off. */
  readonly refreshAheadPercent: number;
  /** Write CloudWatch Embedded Metric Format lines on stdout. */
  readonly metricsEmf: boolean;
  /** The function's name (AWS_LAMBDA_FUNCTION_NAME), the EMF lines' dimension; undefined outside Lambda. */
  readonly functionName: string | undefined;
  /** Parameter names to fetch during INIT (GetParameters, 10 per call, with decryption). */
  readonly prefetchParameters: readonly string[];
  /** Secret ids to fetch during INIT. */
  readonly prefetchSecrets: readonly string[];
  /** Every value accepted in X-Aws-Parameters-Secrets-Token (empty: every protected request gets 401). */
  readonly tokens: readonly string[];
  /** Set when running under Lambda (or the RIE): host:port of the Runtime/Extensions API. */
  readonly runtimeApi: string | undefined;
  /** The cache runs inside the function's Node process (in-process.ts) instead of a process of its own. */
  readonly inProcess: boolean;
}

export interface ConfigIssue {
  readonly level: 'DEBUG' | 'WARN';
  readonly message: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Problems (WARN) and defaults taken (DEBUG), in a stable order, to be logged once. */
  readonly issues: readonly ConfigIssue[];
}

export const ENV = {
  port: 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  logLevel: 'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
  cacheEnabled: 'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
  cacheSize: 'PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE',
  maxConnections: 'PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS',
  ssmTtl: 'SSM_PARAMETER_STORE_TTL',
  secretsTtl: 'SECRETS_MANAGER_TTL',
  ssmTimeout: 'SSM_PARAMETER_STORE_TIMEOUT_MILLIS',
  secretsTimeout: 'SECRETS_MANAGER_TIMEOUT_MILLIS',
  maxTtl: 'PARAMETERS_SECRETS_EXTENSION_MAX_TTL',
  staleOnError: 'PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR',
  staleMaxAge: 'PARAMETERS_SECRETS_EXTENSION_STALE_MAX_AGE',
  refreshAhead: 'PARAMETERS_SECRETS_EXTENSION_REFRESH_AHEAD',
  metricsEmf: 'PARAMETERS_SECRETS_EXTENSION_METRICS_EMF',
  prefetchParameters: 'PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS',
  prefetchSecrets: 'PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS',
  token: 'PARAMETERS_SECRETS_EXTENSION_TOKEN',
  sessionToken: 'AWS_SESSION_TOKEN',
  containerToken: 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  runtimeApi: 'AWS_LAMBDA_RUNTIME_API',
  functionName: 'AWS_LAMBDA_FUNCTION_NAME',
  maxConcurrency: 'AWS_LAMBDA_MAX_CONCURRENCY',
  inProcess: 'PARAMETERS_SECRETS_EXTENSION_IN_PROCESS',
} as const;

export const DEFAULTS = {
  port: 2773,
  logLevel: 'INFO' as LogLevel,
  cacheSize: 1000,
  maxCacheSize: 1000,
  maxConnections: 3,
  ttlSeconds: 300,
  /** AWS's ceiling for both TTLs; PARAMETERS_SECRETS_EXTENSION_MAX_TTL lifts it. */
  maxTtlSeconds: 300,
  /** Ceiling for PARAMETERS_SECRETS_EXTENSION_MAX_TTL itself: one day. */
  maxTtlCeilingSeconds: 86_400,
  /** A timeout beyond Lambda's 15-minute maximum invoke cannot be meant. */
  maxTimeoutMillis: 900_000,
  maxConnectionsCeiling: 1000,
  /** Refresh-ahead's percentage of the TTL: 1–99 (100 would be the expiry itself). */
  maxRefreshAheadPercent: 99,
  /**
   * Refresh-ahead's default in a multi-concurrent environment (Lambda Managed Instances,
   * AWS_LAMBDA_MAX_CONCURRENCY set): nothing is frozen there, so a background refresh always completes,
   * and without it every expiry stalls all concurrent readers of the key at once (measured in
   * docs/benchmarks.md: p99.9 28–48 ms → 6–9 ms at 16 readers, for 1.25× the backend calls).
   */
  multiConcurrentRefreshAheadPercent: 80,
  /** Stale max age's ceiling: one day, as MAX_TTL's. */
  maxStaleAgeSeconds: 86_400,
  /** Bounded so a typo cannot make INIT fetch thousands of names. */
  maxPrefetch: 100,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** What aws-lambda-ric decides by too: the variable is set (to anything) in Managed Instances. */
function isMultiConcurrent(env: Env): boolean {
  return (env[ENV.maxConcurrency] ?? '') !== '';
}

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'NONE'];
const WHOLE_NUMBER = /^[0-9]+$/;

/** Shows a bad value in a log line without flooding it (config values are not secrets; tokens are never shown). */
function shown(raw: string): string {
  const clipped = raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
  return JSON.stringify(clipped);
}

class Reader {
  readonly issues: ConfigIssue[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  warn(message: string): void {
    this.issues.push({ level: 'WARN', message });
  }

  debug(message: string): void {
    this.issues.push({ level: 'DEBUG', message });
  }

  /** A whole number in [min, max]; out-of-range or malformed → warn and use the fallback. */
  integer(name: string, fallback: number, min: number, max: number, unit: string): number {
    const raw = this.raw(name);
    if (raw === undefined) {
      this.debug(`${name} is not present. Using default: ${fallback}${unit}.`);
      return fallback;
    }
    if (!WHOLE_NUMBER.test(raw)) {
      this.warn(
        `${name} is ${shown(raw)}, not a whole number from ${min} to ${max}. Using ${fallback}${unit}.`,
      );
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      this.warn(`${name} is ${shown(raw)}, outside ${min}–${max}. Using ${fallback}${unit}.`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) {
      this.debug(`${name} is not present. Using default: ${fallback}.`);
      return fallback;
    }
    const parsed = parseBoolean(raw);
    if (parsed === undefined) {
      this.warn(`${name} is ${shown(raw)}, not TRUE or FALSE. Using ${String(fallback).toUpperCase()}.`);
      return fallback;
    }
    return parsed;
  }

  list(name: string, limit: number): string[] {
    const raw = this.raw(name);
    if (raw === undefined) return [];
    const items = [
      ...new Set(
        raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ];
    if (items.length > limit) {
      this.warn(`${name} lists ${items.length} names; only the first ${limit} are prefetched.`);
      return items.slice(0, limit);
    }
    return items;
  }
}

function readTtl(reader: Reader, name: string, label: string, maxSeconds: number): number {
  const raw = reader.raw(name);
  const fallback = DEFAULTS.ttlSeconds;
  if (raw === undefined) {
    reader.debug(`${name} is not present. Setting default time-to-live: ${goDuration(fallback * 1000)}.`);
    return fallback * 1000;
  }
  if (!WHOLE_NUMBER.test(raw)) {
    reader.warn(
      `${name} is ${shown(raw)}, not a whole number of seconds. Setting ${label} TTL to ${goDuration(fallback * 1000)}.`,
    );
    return fallback * 1000;
  }
  const seconds = Number(raw);
  if (seconds > maxSeconds) {
    // AWS's own wording (minus its "Manger" typo), so existing log filters keep matching.
    reader.warn(`${name} exceeds max limit. Setting ${label} TTL to ${goDuration(maxSeconds * 1000)}.`);
    return maxSeconds * 1000;
  }
  return seconds * 1000;
}

/**
 * The mode switch takes `true` or `false` (any case) and nothing else: the image's shell scripts decide
 * by the same rule (runtime/bootstrap, the /opt/extensions launcher), which Go's wider ParseBool
 * spellings would make harder to keep identical.
 */
function readInProcess(reader: Reader): boolean {
  const raw = reader.raw(ENV.inProcess);
  if (raw === undefined) return false;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  reader.warn(`${ENV.inProcess} is ${shown(raw)}, not true or false. Using false (a process of its own).`);
  return false;
}

function readLogLevel(reader: Reader): LogLevel {
  const raw = reader.raw(ENV.logLevel);
  if (raw === undefined) return DEFAULTS.logLevel;
  const upper = raw.toUpperCase();
  const level = LOG_LEVELS.find((candidate) => candidate === upper);
  if (level === undefined) {
    reader.warn(
      `${ENV.logLevel} is ${shown(raw)}, not one of ${LOG_LEVELS.join(', ')}. Log level set to info.`,
    );
    return DEFAULTS.logLevel;
  }
  return level;
}

export function loadConfig(env: Env): LoadedConfig {
  const reader = new Reader(env);
  const logLevel = readLogLevel(reader);
  const port = reader.integer(ENV.port, DEFAULTS.port, 1, 65_535, '');
  const cacheEnabled = reader.boolean(ENV.cacheEnabled, true);
  const cacheSize = reader.integer(ENV.cacheSize, DEFAULTS.cacheSize, 0, DEFAULTS.maxCacheSize, ' objects');
  const maxConnections = reader.integer(
    ENV.maxConnections,
    DEFAULTS.maxConnections,
    1,
    DEFAULTS.maxConnectionsCeiling,
    '',
  );
  const maxTtlSeconds = reader.integer(
    ENV.maxTtl,
    DEFAULTS.maxTtlSeconds,
    DEFAULTS.maxTtlSeconds,
    DEFAULTS.maxTtlCeilingSeconds,
    ' s',
  );
  const ssmTtlMs = readTtl(reader, ENV.ssmTtl, 'Parameter Store', maxTtlSeconds);
  const secretsTtlMs = readTtl(reader, ENV.secretsTtl, 'Secrets Manager', maxTtlSeconds);
  const ssmTimeoutMs = reader.integer(ENV.ssmTimeout, 0, 0, DEFAULTS.maxTimeoutMillis, ' ms');
  const secretsTimeoutMs = reader.integer(ENV.secretsTimeout, 0, 0, DEFAULTS.maxTimeoutMillis, ' ms');
  const staleOnError = reader.boolean(ENV.staleOnError, false);
  const staleMaxAgeSeconds = reader.integer(ENV.staleMaxAge, 0, 0, DEFAULTS.maxStaleAgeSeconds, ' s');
  const refreshAheadPercent = reader.integer(
    ENV.refreshAhead,
    isMultiConcurrent(env) ? DEFAULTS.multiConcurrentRefreshAheadPercent : 0,
    0,
    DEFAULTS.maxRefreshAheadPercent,
    '%',
  );
  const metricsEmf = reader.boolean(ENV.metricsEmf, false);
  const prefetchParameters = reader.list(ENV.prefetchParameters, DEFAULTS.maxPrefetch);
  const prefetchSecrets = reader.list(ENV.prefetchSecrets, DEFAULTS.maxPrefetch);

  const tokens = [ENV.sessionToken, ENV.containerToken, ENV.token]
    .map((name) => env[name])
    .filter((value): value is string => value !== undefined && value !== '');
  if (tokens.length === 0) {
    reader.warn(
      `None of ${ENV.sessionToken}, ${ENV.containerToken}, ${ENV.token} is set: every request except /ping is refused with 401.`,
    );
  }

  const runtimeApi = reader.raw(ENV.runtimeApi);
  const inProcess = readInProcess(reader);
  return {
    config: {
      port,
      logLevel,
      cacheEnabled,
      cacheSize,
      maxConnections,
      ssm: { ttlMs: ssmTtlMs, timeoutMs: ssmTimeoutMs },
      secretsManager: { ttlMs: secretsTtlMs, timeoutMs: secretsTimeoutMs },
      staleOnError,
      staleMaxAgeMs: staleMaxAgeSeconds * 1000,
      refreshAheadPercent,
      metricsEmf,
      functionName: reader.raw(ENV.functionName),
      prefetchParameters,
      prefetchSecrets,
      tokens: [...new Set(tokens)],
      runtimeApi,
      inProcess,
    },
    issues: reader.issues,
  };
}
