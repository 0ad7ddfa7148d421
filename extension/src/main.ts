/**
 * Entry point (bundle index.cjs). Order matters for cold starts:
 *   1. read config, open the sockets (bare node:http; early requests are held, not refused),
 *   2. register with the Extensions API (Lambda starts the runtime's init right after every extension
 *      registered, so the function's init code can already reach us),
 *   3. hand the held requests to the fast path (server/fast-path.ts), which serves /ping, hits and misses
 *      without fastify; the AWS SDK (aws.cjs, with its code cache: code-cache.ts) waits for the first
 *      cache miss, and fastify (app.cjs) for the first request the fast path leaves to it (invalid
 *      input, 401, 404/405…): in a normal sandbox it is never loaded, which saves its start-up CPU and ~10 MB of RSS (docs/benchmarks.md),
 *   4. prefetch if asked, then loop on /event/next until SHUTDOWN (or SIGTERM/SIGINT) and exit 0.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Backends } from './backends/types.js';
import { ValueCache } from './cache/value-cache.js';
import { loadConfig } from './config.js';
import { ExtensionsApiClient } from './lifecycle/extensions-api.js';
import { createLogger } from './logger.js';
import { prefetch } from './prefetch.js';
import { ERROR_CONTENT_TYPE, errorBody } from './request/responses.js';
import type { ServeDeps } from './request/serve-deps.js';
import { loadAwsBackends } from './sdk.js';
import { createFastPath } from './server/fast-path.js';
import { Listener } from './server/listener.js';

/** The launcher passes its own file name: Lambda requires it as Lambda-Extension-Name. */
const EXTENSION_NAME = process.argv[2] || 'parameters-secrets-extension';
/** Lambda gives extensions 2 s after SHUTDOWN; we aim to be gone well before. */
const SHUTDOWN_GRACE_MS = 1_000;

const { config, issues } = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const listener = new Listener();
const api = config.runtimeApi === undefined ? undefined : new ExtensionsApiClient(config.runtimeApi);
let app: FastifyInstance | undefined;
let stopping = false;

async function fail(errorType: string, message: string): Promise<never> {
  logger.error(message);
  if (api?.extensionId !== undefined) {
    await api.initError(errorType, message).catch(() => undefined);
  }
  process.exit(1);
}

async function shutdown(reason: string, deadlineMs?: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const budget =
    deadlineMs === undefined
      ? SHUTDOWN_GRACE_MS
      : Math.max(100, Math.min(SHUTDOWN_GRACE_MS, deadlineMs - Date.now() - 500));
  // Whatever happens below, be gone before Lambda's SIGKILL.
  setTimeout(() => process.exit(0), budget + 200).unref();
  logger.info(`Shutting down (${reason}).`);
  await listener.close(budget);
  await app?.close().catch(() => undefined);
  api?.close();
  process.exit(0);
}

let backendsLoading: Promise<Backends> | undefined;
function loadBackends(): Promise<Backends> {
  backendsLoading ??= Promise.resolve()
    .then(() =>
      loadAwsBackends(
        {
          maxConnections: config.maxConnections,
          ssmTimeoutMs: config.ssm.timeoutMs,
          secretsManagerTimeoutMs: config.secretsManager.timeoutMs,
        },
        logger,
      ),
    )
    .catch((error: unknown) => {
      backendsLoading = undefined; // let the next miss try again
      throw error;
    });
  return backendsLoading;
}

let appLoading: Promise<FastifyInstance> | undefined;
/** Hands a request to the fastify app, loading it on first use (the request waits, nothing is refused). */
function viaApp(req: IncomingMessage, res: ServerResponse, deps: ServeDeps): void {
  if (app !== undefined) {
    app.routing(req, res);
    return;
  }
  appLoading ??= import('./app/build-app.js')
    .then(({ buildApp }) => buildApp(deps))
    .then((built) => {
      app = built;
      logger.debug('HTTP app loaded.');
      return built;
    })
    .catch((error: unknown) => {
      appLoading = undefined; // let the next request try again
      throw error;
    });
  appLoading.then(
    (loaded) => loaded.routing(req, res),
    (error: unknown) => {
      logger.error(`Cannot load the HTTP app: ${(error as Error).message}`);
      if (!res.destroyed) {
        res.writeHead(500, { 'Content-Type': `${ERROR_CONTENT_TYPE}; charset=utf-8` });
        res.end(errorBody('InternalFailure', 'internal failure'));
      }
    },
  );
}

async function main(): Promise<void> {
  let listenError: unknown;
  const listening = await listener.listen(config.port).catch((error: unknown) => {
    listenError = error;
    return undefined;
  });
  if (api !== undefined) {
    await api.register(EXTENSION_NAME).catch((error: unknown) => {
      // Without an identifier there is no way to report to /init/error: exiting fails the init.
      logger.error(`Registration with the Extensions API failed: ${(error as Error).message}`);
      process.exit(1);
    });
  }
  if (listening === undefined) {
    return fail(
      'Extension.ListenFailed',
      `Cannot listen on 127.0.0.1:${config.port}: ${(listenError as Error).message}`,
    );
  }
  for (const issue of issues) logger[issue.level === 'WARN' ? 'warn' : 'debug'](issue.message);
  logger.info(`Listening on ${listening.addresses.join(' and ')}.`);
  if (listening.ipv6Problem !== undefined) logger.debug(`Not listening on [::1]: ${listening.ipv6Problem}.`);
  logger.debug(`Socket ready ${Math.round(performance.now())} ms after process start.`);

  const cache = new ValueCache({
    enabled: config.cacheEnabled,
    size: config.cacheSize,
    staleOnError: config.staleOnError,
    onStale: () => logger.warn('Refresh failed with a transient error; serving the expired value.'),
  });
  const ttlMs = { ssm: config.ssm.ttlMs, secretsmanager: config.secretsManager.ttlMs };
  const deps: ServeDeps = { cache, tokens: config.tokens, ttlMs, backends: loadBackends, logger };
  listener.handOver(createFastPath(deps, (req, res) => viaApp(req, res, deps)));
  logger.debug(`Ready ${Math.round(performance.now())} ms after process start.`);

  await prefetch(config, cache, loadBackends, logger);

  if (api === undefined) {
    logger.info('AWS_LAMBDA_RUNTIME_API is not set: standalone mode, serving until SIGTERM or SIGINT.');
    return;
  }
  for (;;) {
    const event = await api.nextEvent().catch((error: unknown) => {
      logger.error(`Extensions API event/next failed: ${(error as Error).message}`);
      process.exit(1);
    });
    if (event.eventType === 'SHUTDOWN') {
      return shutdown(`SHUTDOWN event, reason ${event.shutdownReason ?? 'unknown'}`, event.deadlineMs);
    }
  }
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// One failing request must never take the cache down for the whole sandbox.
process.on('unhandledRejection', (error) =>
  logger.error(`Unhandled rejection: ${(error as Error)?.name ?? 'unknown'}`),
);
process.on('uncaughtException', (error) => logger.error(`Uncaught exception: ${error.name}`));

void main();
