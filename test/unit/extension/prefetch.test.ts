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
    getParameters: vi.fn(
      async (names: readonly string[]) =>
        new Map(
          names.map((name) => [
            name,
            name === '/missing'
              ? new BackendError('ParameterNotFound', 'not found', false)
              : { secure: name === '/secure', json: `{"name":"${name}"}` },
          ]),
        ),
    ),
    getParametersByPath: vi.fn(async ({ path }) => ({
      parameters: [1, 2].map((i) => ({
        name: `${path}p${i}`,
        secure: false,
        json: `{"name":"${path}p${i}"}`,
      })),
    })),
    getSecretValue: vi.fn(async ({ secretId }) => {
      if (secretId === 'denied') throw new BackendError('AccessDeniedException', 'not allowed', false);
      return `{"single":"${secretId}"}`;
    }),
    getSecretValues: vi.fn(
      async (ids: readonly string[]) =>
        new Map(
          ids.map((id) => [
            id,
            id === 'denied' || id === 'batch-denied'
              ? new BackendError('AccessDeniedException', 'not allowed', false)
              : `{"secret":"${id}"}`,
          ]),
        ),
    ),
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

  it('reads a name ending in / as a hierarchy, with GetParametersByPath', async () => {
    const { cache, backends, run } = setup({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: '/plain,/app/',
    });
    await run();

    expect(backends.getParameters).toHaveBeenCalledWith(['/plain'], true);
    expect(backends.getParametersByPath).toHaveBeenCalledWith(
      { path: '/app/', recursive: true, withDecryption: true },
      expect.any(Number),
    );
    expect(cache.fresh('ssm', parameterKey('/app/p2', false))?.value).toBe('{"name":"/app/p2"}');
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

  it('reads one by one the secrets BatchGetSecretValue was denied (a role without that action)', async () => {
    const { cache, backends, run } = setup({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS: 'ok,batch-denied',
    });
    await run();
    expect(backends.getSecretValue).toHaveBeenCalledTimes(1);
    expect(cache.fresh('secretsManager', secretKey('batch-denied', undefined, undefined))?.value).toBe(
      '{"single":"batch-denied"}',
    );
  });

  it('is joined by reads made while it is in flight (a function reading at INIT), with no call of their own', async () => {
    const { cache, backends, run } = setup({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: '/plain,/secure',
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS: 'ok',
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const batch of [backends.getParameters, backends.getSecretValues] as const) {
      const answer = vi.mocked(batch).getMockImplementation() as (ids: readonly string[]) => Promise<never>;
      vi.mocked(batch).mockImplementationOnce(async (ids: readonly string[]) => {
        await gate;
        return answer(ids);
      });
    }
    vi.mocked(backends.getParameter).mockResolvedValue('{"name":"/secure","encrypted":true}');
    const own = vi.fn(async () => 'own read');
    const prefetching = run();
    await vi.waitFor(() => expect(backends.getSecretValues).toHaveBeenCalled());

    const reads = [
      cache.get('ssm', parameterKey('/plain', false), own),
      cache.get('ssm', parameterKey('/secure', true), own),
      cache.get('secretsManager', secretKey('ok', undefined, undefined), own),
      // A SecureString read encrypted: the decrypted batch cannot answer it, so it is read alone.
      cache.get('ssm', parameterKey('/secure', false), own),
    ];
    release();
    await prefetching;

    expect((await Promise.all(reads)).map((entry) => entry.value)).toEqual([
      '{"name":"/plain"}',
      '{"name":"/secure"}',
      '{"secret":"ok"}',
      '{"name":"/secure","encrypted":true}',
    ]);
    expect(own).not.toHaveBeenCalled();
    // The four reads missed; the prefetch itself is not a request.
    expect(cache.stats.misses).toBe(4);
    expect(backends.getParameters).toHaveBeenCalledTimes(1);
    expect(backends.getSecretValues).toHaveBeenCalledTimes(1);
    expect(backends.getParameter).toHaveBeenCalledExactlyOnceWith({ name: '/secure', withDecryption: false });
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
