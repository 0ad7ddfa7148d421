/**
 * Entry point of in-process mode (bundle in-process.cjs, PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true):
 * `node --require in-process.cjs <anything>` runs the cache and its HTTP API inside that Node process,
 * the function's runtime, instead of a process of its own (in-process/start.ts).
 *
 * Main thread only. In a worker thread (aws-lambda-ric's multi-concurrent mode runs handlers in worker
 * threads, which inherit --require) it does nothing: one cache per execution environment, served from
 * the main thread, reached over HTTP by the workers. The start is required, not imported, so that the
 * bundle evaluates its modules (the cache, the pipeline, node:http) only where it serves: a worker
 * pays for parsing the bundle and nothing else.
 */
import type * as InProcess from './in-process/start.js';

if (process.getBuiltinModule('node:worker_threads').isMainThread) {
  (require('./in-process/start.js') as typeof InProcess).start();
}
