/**
 * What answers requests once the sockets are open, the same in both modes (main.ts, a process of its
 * own; in-process.ts, inside the function's process): the cache holding each value as the answer that
 * serves it, its counters, the AWS SDK adapters (loaded on the first miss) and the one pipeline over them.
 */
import type { Backends } from './backends/types.js';
import { ValueCache } from './cache/value-cache.js';
import type { Config } from './config.js';
import { type Answerer, createAnswerer } from './http/pipeline.js';
import { type Answer, valueAnswer } from './http/respond.js';
import { lazy } from './lazy.js';
import { type Logger, stdoutWriter } from './logger.js';
import { EmfReporter } from './metrics/emf.js';
import { Metrics } from './metrics/metrics.js';
import { loadAwsBackends } from './sdk/load.js';

export interface Serving {
  readonly cache: ValueCache<Answer>;
  readonly metrics: Metrics;
  readonly backends: () => Promise<Backends>;
  /** The pipeline's decisions, for either transport (http/pipeline.ts). */
  readonly answer: Answerer;
}

/** `inFunctionProcess`: in-process mode, where the V8 heap is the function's (sdk/load.ts). */
export function createServing(config: Config, logger: Logger, inFunctionProcess: boolean): Serving {
  const cache = new ValueCache<Answer>({
    enabled: config.cacheEnabled,
    size: config.cacheSize,
    ttlMs: { ssm: config.ssm.ttlMs, secretsManager: config.secretsManager.ttlMs },
    staleOnError: config.staleOnError,
    staleMaxAgeMs: config.staleMaxAgeMs,
    refreshAheadPercent: config.refreshAheadPercent,
    prepare: valueAnswer,
    onStale: () => logger.warn('Refresh failed with a transient error; serving the expired value.'),
  });
  const metrics = new Metrics(cache.stats);
  const backends = lazy(async () =>
    loadAwsBackends(
      {
        maxConnections: config.maxConnections,
        timeoutMs: { ssm: config.ssm.timeoutMs, secretsManager: config.secretsManager.timeoutMs },
        observe: (service, ms, failure) => metrics.recordCall(service, ms, failure),
      },
      logger,
      inFunctionProcess,
    ),
  );
  const metricsJson = () => JSON.stringify(metrics.snapshot());
  const answer = createAnswerer({ cache, tokens: config.tokens, backends, logger, metrics: metricsJson });
  return { cache, metrics, backends, answer };
}

/** The EMF reporter when PARAMETERS_SECRETS_EXTENSION_METRICS_EMF asks for one. */
export function emfReporter(config: Config, metrics: Metrics): EmfReporter | undefined {
  if (!config.metricsEmf) return undefined;
  // The log's own writer: one writer of fd 1 keeps EMF lines and log lines in order.
  return new EmfReporter(() => metrics.snapshot(), config.functionName ?? 'standalone', stdoutWriter);
}
