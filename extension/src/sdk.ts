/**
 * The AWS SDK's bundle (aws.cjs), loaded on the first miss from its code cache (code-cache.ts); once
 * its first call settled, the young generation stops growing (young-generation.ts).
 */
import { join } from 'node:path';
import type { createAwsBackends } from './backends/aws-backends.js';
import type { BackendSettings, Backends } from './backends/types.js';
import { loadBundle } from './code-cache.js';
import type { Logger } from './logger.js';
import { afterFirstCall, stopYoungGenerationGrowth } from './young-generation.js';

export function loadAwsBackends(settings: BackendSettings, logger: Logger): Backends {
  const { exports, cache } = loadBundle(join(__dirname, 'aws.cjs'));
  logger.debug(`AWS SDK clients loaded (code cache ${cache}).`);
  const { createAwsBackends: create } = exports as { createAwsBackends: typeof createAwsBackends };
  return afterFirstCall(create(settings), stopYoungGenerationGrowth);
}
