/**
 * Entry point (bundle index.cjs): the extension's life, in the order it happens. Order matters for cold
 * starts:
 *   1. listen: read the config, open the sockets (bare node:http; early requests are held, not refused),
 *   2. register with the Extensions API (Lambda starts the runtime's init right after every extension
 *      registered, so the function's init code can already reach us),
 *   3. serve: install the one request pipeline (http/pipeline.ts) and hand it the held requests; the AWS
 *      SDK (aws.cjs, from its code cache: sdk/load.ts) loads on the first cache miss, not before,
 *   4. prefetch, if asked, so the first invoke is a hit,
 *   5. the event loop: /event/next until SHUTDOWN,
 *   6. shutdown (SHUTDOWN, SIGTERM or SIGINT): finish in-flight requests, the last EMF line, exit 0.
 * Failures are reported to Lambda where it listens: /init/error before the loop, /exit/error after.
 */

import { loadConfig } from './config.js';
import { Listener } from './http/listener.js';
import { httpHandler } from './http/pipeline.js';
import { ExtensionsApiClient } from './lifecycle/extensions-api.js';
import { createLogger } from './logger.js';
import type { EmfReporter } from './metrics/emf.js';
import { prefetch } from './prefetch.js';
import { createServing, emfReporter } from './serving.js';

/** The launcher passes its own file name: Lambda requires it as Lambda-Extension-Name. */
const EXTENSION_NAME = process.argv[2] || 'parameters-secrets-extension';
/** Lambda gives extensions 2 s after SHUTDOWN; we aim to be gone well before. */
const SHUTDOWN_GRACE_MS = 1_000;

async function main(): Promise<void> {
  // 1. listen
  const { config, issues } = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const listener = new Listener();
  const api = config.runtimeApi === undefined ? undefined : new ExtensionsApiClient(config.runtimeApi);

  let stopping = false;
  let emf: EmfReporter | undefined;
  const shutdown = async (reason: string, deadlineMs?: number): Promise<void> => {
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
    emf?.close();
    api?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // One failing request must never take the cache down for the whole sandbox.
  process.on('unhandledRejection', (error) =>
    logger.error(`Unhandled rejection: ${(error as Error)?.name ?? 'unknown'}`),
  );
  process.on('uncaughtException', (error) => logger.error(`Uncaught exception: ${error.name}`));

  const listening = await listener.listen(config.port).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as Error }),
  );

  // 2. register
  if (api !== undefined) {
    await api.register(EXTENSION_NAME).catch((error: unknown) => {
      // Without an identifier there is no way to report to /init/error: exiting fails the init.
      logger.error(`Registration with the Extensions API failed: ${(error as Error).message}`);
      process.exit(1);
    });
  }
  if (listening.result === undefined) {
    const message = `Cannot listen on 127.0.0.1:${config.port}: ${listening.error?.message}`;
    logger.error(message);
    await api?.initError('Extension.ListenFailed', message).catch(() => undefined);
    process.exit(1);
  }
  for (const issue of issues) logger[issue.level === 'WARN' ? 'warn' : 'debug'](issue.message);
  logger.info(`Listening on ${listening.result.addresses.join(' and ')}.`);
  if (listening.result.ipv6Problem !== undefined) {
    logger.debug(`Not listening on [::1]: ${listening.result.ipv6Problem}.`);
  }
  // The global `performance` loads perf_hooks on first use: only when the line is written.
  if (logger.enabled('DEBUG'))
    logger.debug(`Socket ready ${Math.round(performance.now())} ms after process start.`);

  // 3. serve
  const { answer, metrics, cache, backends } = createServing(config, logger, false);
  listener.handOver(httpHandler(answer));
  emf = emfReporter(config, metrics);
  if (logger.enabled('DEBUG')) logger.debug(`Ready ${Math.round(performance.now())} ms after process start.`);

  // 4. prefetch
  await prefetch(config, cache, backends, logger);

  // 5. the event loop
  if (api === undefined) {
    logger.info('AWS_LAMBDA_RUNTIME_API is not set: standalone mode, serving until SIGTERM or SIGINT.');
    return;
  }
  for (;;) {
    const event = await api.nextEvent().catch(async (error: unknown) => {
      const message = `Extensions API event/next failed: ${(error as Error).message}`;
      logger.error(message);
      await api.exitError('Extension.EventNextFailed', message).catch(() => undefined);
      process.exit(1);
    });
    // 6. shutdown
    if (event.eventType === 'SHUTDOWN') {
      return shutdown(`SHUTDOWN event, reason ${event.shutdownReason ?? 'unknown'}`, event.deadlineMs);
    }
  }
}

void main();
