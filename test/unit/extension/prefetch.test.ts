import { describe, expect, it, vi } from 'vitest';
import type { Backends } from '../../../extension/src/backends/types.js';
import { parameterKey, secretKey } from '../../../extension/src/cache/keys.js';
import { ValueCache } from '../../../extension/src/cache/value-cache.js';
import { loadConfig } from '../../../extension/src/config.js';
import { BackendError } from '../../../extension/src/errors.js';
import { createLogger } from '../../../extension/src/logger.js';
import { prefetch } from '../../../extension/src/prefetch.js';

function setup(env: Record<string, string>) {
  const { config } = loadConfig({ AWS_SESSION_TOKEN: 't', ...env });
  const cache = new ValueCache<string>({
    enabled: config.cacheEnabled,
    size: config.cacheSize,
    ttlMs: { ssm: config.ssm.ttlMs, secretsManager: config.secretsManager.ttlMs },
    staleOnError: false,
    prepare: (json) => json,
  });
  const lines: string[] = [];
  const backends: Backends = {
    getParameter: vi.fn(),
    getParameters: vi.fn(async (names: readonly string[]) =>
      names
        .filter((name) => name !== '/missing')
        .map((name) => ({ name, secure: name === '/secure', json: `{"name":"${name}"}` })),
    ),
    getSecretValue: vi.fn(async ({ secretId }) => {
      if (secretId === 'denied') throw new BackendError('AccessDeniedException', 'not allowed', false);
      return `{"secret":"${secretId}"}`;
    }),
  };
  const loads = vi.fn(async () => backends);
  const run = () =>
    prefetch(
      config,
      cache,
      loads,
      createLogger('DEBUG', (line) => lines.push(line)),
    );
  return { config, cache, backends, loads, lines, run };
}

describe('prefetch', () => {
  it('stores SecureStrings only under the decrypted key, other parameters under both', async () => {
    const { cache, lines, run } = setup({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: '/plain,/secure,/missing',
    });
    await run();

    expect(cache.fresh('ssm', parameterKey('/plain', false))?.value).toBe('{"name":"/plain"}');
    expect(cache.fresh('ssm', parameterKey('/plain', true))?.value).toBe('{"name":"/plain"}');
    expect(cache.fresh('ssm', parameterKey('/secure', true))?.value).toBe('{"name":"/secure"}');
    expect(cache.fresh('ssm', parameterKey('/secure', false))).toBeUndefined();
    expect(lines.join('')).toContain('Prefetched 2 of 3 parameters.');
    expect(lines.join('')).toContain('"/missing"');
  });

  it('stores the secrets it could read and logs the others without failing', async () => {
    const { cache, lines, run } = setup({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS: 'ok,denied',
    });
    await run();

    expect(cache.fresh('secretsManager', secretKey('ok', undefined, undefined))?.value).toBe(
      '{"secret":"ok"}',
    );
    expect(cache.fresh('secretsManager', secretKey('denied', undefined, undefined))).toBeUndefined();
    expect(lines.join('')).toContain('Prefetch of secret "denied" failed: AccessDeniedException');
  });

  it('does not load the SDK when there is nothing to prefetch or the cache is off', async () => {
    const nothing = setup({});
    await nothing.run();
    expect(nothing.loads).not.toHaveBeenCalled();

    const off = setup({ PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS: 's', SECRETS_MANAGER_TTL: '0' });
    await off.run();
    expect(off.loads).not.toHaveBeenCalled();
    expect(off.lines.join('')).toContain('Prefetch skipped');
  });
});
