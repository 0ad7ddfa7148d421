import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../extension/src/config.js';
import { ANSWERS } from '../../../extension/src/http/respond.js';
import { createLogger } from '../../../extension/src/logger.js';
import { createServing, emfReporter } from '../../../extension/src/serving.js';

const logger = createLogger('NONE');

describe('createServing', () => {
  it("builds the pipeline over the configuration's tokens, without loading the SDK", () => {
    const { config } = loadConfig({ AWS_SESSION_TOKEN: 'tok' });
    const { answer, metrics } = createServing(config, logger, true);
    const target = '/systemsmanager/parameters/get?name=%2Fa';
    expect(answer('GET', target, { 'x-aws-parameters-secrets-token': 'other' })).toBe(ANSWERS.badToken);
    expect(
      answer('GET', '/systemsmanager/parameters/get?name=', { 'x-aws-parameters-secrets-token': 'tok' }),
    ).toMatchObject({
      status: 400,
    });
    expect(metrics.snapshot().backends.ssm.calls).toBe(0);
  });

  it('sizes the cache from the configuration: a service whose TTL is 0 is not cached', () => {
    const { config } = loadConfig({ SSM_PARAMETER_STORE_TTL: '0' });
    const { cache } = createServing(config, logger, false);
    expect(cache.caches('ssm')).toBe(false);
    expect(cache.caches('secretsManager')).toBe(true);
  });

  it('has an EMF reporter only when PARAMETERS_SECRETS_EXTENSION_METRICS_EMF is on', () => {
    const off = loadConfig({}).config;
    expect(emfReporter(off, createServing(off, logger, false).metrics)).toBeUndefined();
    const on = loadConfig({ PARAMETERS_SECRETS_EXTENSION_METRICS_EMF: 'true' }).config;
    const reporter = emfReporter(on, createServing(on, logger, false).metrics);
    expect(reporter).toBeDefined();
    reporter?.close();
  });
});
