/**
 * In-process mode's start, in the main thread (in-process.ts decides that), while the module is being
 * required:
 *   1. the sockets on 127.0.0.1 and ::1 are bound (the kernel accepts from then on, so the function's
 *      module-level reads at INIT reach us even before the next module's top-level code has run),
 *   2. the one request pipeline is installed (http/pipeline.ts, the separate process's), and the
 *      direct path is published for the client module (direct.ts).
 * Then, once the sockets listen: the config's warnings, prefetch if asked (it loads the AWS SDK, as any
 * miss does). The rest of the separate process's life has no counterpart here: no registration (the
 * runtime's process is not an extension), no SHUTDOWN event (EMF's last line is written on `exit` when
 * there is one; Lambda ends the process with a signal and the last minute's counts are lost).
 *
 * The function's process is not ours: nothing here changes how it behaves. No handler of
 * uncaughtException, unhandledRejection or signals, no process.exit, no change to process.stdout or to
 * V8's flags, servers and connections unref()'d.
 */
import { type Config, type ConfigIssue, ENV, loadConfig } from '../config.js';
import { Listener } from '../http/listener.js';
import { httpHandler } from '../http/pipeline.js';
import { createLogger, type Logger } from '../logger.js';
import { prefetch } from '../prefetch.js';
import { createServing, emfReporter } from '../serving.js';
import { directPath, isPublished, publish } from './direct.js';

/** A fault of ours must never fail the function: it is logged, and the function runs on. */
const unexpected =
  (logger: Logger, what: string) =>
  (error: unknown): void =>
    logger.error(
      `In-process ${what} failed (${(error as Error)?.name ?? 'unknown error'}); the function runs on.`,
    );

export function start(): void {
  const { config, issues } = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  try {
    serve(config, issues, logger);
  } catch (error) {
    unexpected(logger, 'start')(error);
  }
}

function serve(config: Config, issues: readonly ConfigIssue[], logger: Logger): void {
  const logIssues = (): void => {
    for (const issue of issues) logger[issue.level === 'WARN' ? 'warn' : 'debug'](issue.message);
  };
  if (!config.inProcess) {
    logIssues();
    logger.warn(`Loaded in-process, but ${ENV.inProcess} is not true: not serving here.`);
    return;
  }
  if (isPublished()) return; // required twice (another path to the same bundle): the first one serves

  const listener = new Listener({ unref: true });
  const listening = listener.listen(config.port);
  const serving = createServing(config, logger, true);
  listener.handOver(httpHandler(serving.answer));
  const published = publish(directPath(serving.answer));

  listening
    .then(
      (result) => {
        logIssues();
        logger.info(`Listening in-process on ${result.addresses.join(' and ')}.`);
        if (result.ipv6Problem !== undefined) logger.debug(`Not listening on [::1]: ${result.ipv6Problem}.`);
        const emf = emfReporter(config, serving.metrics);
        if (emf !== undefined) process.once('exit', () => emf.close());
        prefetch(config, serving.cache, serving.backends, logger).catch(unexpected(logger, 'prefetch'));
      },
      (error: unknown) => {
        // The function still starts: its reads fail as they would without the extension (connection
        // refused), and the direct path is withdrawn so that the client module sees the same.
        published.withdraw();
        logIssues();
        logger.error(
          `Cannot listen on 127.0.0.1:${config.port} (${ENV.port}): ${(error as Error).message}. ` +
            'The in-process cache is off; the function starts without it.',
        );
      },
    )
    .catch(unexpected(logger, 'start'));
}
