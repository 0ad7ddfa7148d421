/**
 * The AWS SDK's bundle (aws.cjs), loaded on the first miss, and the young generation kept small
 * (young-generation.ts).
 *
 * With a code cache (base images): the built-in modules the SDK needs are loaded first, then the
 * growth of the young generation is stopped, then the SDK runs from its cache, which was made under
 * that flag (build-code-cache.ts). Loading the SDK is what grows the young generation (2 -> 4 MB,
 * and on to 16 MB while misses are served), so it stays at 2 MB. Without a cache (a source checkout,
 * the extension-only image next to another `node`), the flag is set only once the first backend call
 * has settled: set earlier, it would make Node compile the SDK's built-in modules from source.
 */
import { join } from 'node:path';
import type { createAwsBackends } from '../backends/aws-backends.js';
import type { BackendSettings, Backends } from '../backends/types.js';
import type { Logger } from '../logger.js';
import { loadBuiltins, openBundle, runBundle } from './code-cache.js';
import { afterFirstCall, stopYoungGenerationGrowth } from './young-generation.js';

/**
 * `inFunctionProcess`: the extension runs inside the function's own Node process (in-process.ts). The
 * flag would change the function's heap there, so it is never set, and the code cache, which V8 accepts
 * only under that flag, is not read.
 */
export function loadAwsBackends(
  settings: BackendSettings,
  logger: Logger,
  inFunctionProcess = false,
): Backends {
  const bundle = openBundle(join(__dirname, 'aws.cjs'), !inFunctionProcess);
  const cached = bundle.header !== undefined;
  if (cached) {
    loadBuiltins(bundle);
    stopYoungGenerationGrowth();
  }
  // aws.cjs sits next to this bundle (index.cjs): its require() resolves what aws.cjs requires.
  const { exports, cache } = runBundle(bundle, require);
  logger.debug(`AWS SDK clients loaded (code cache ${cache}).`);
  const { createAwsBackends: create } = exports as { createAwsBackends: typeof createAwsBackends };
  const backends = create(settings);
  return cached || inFunctionProcess ? backends : afterFirstCall(backends, stopYoungGenerationGrowth);
}
