import { describe, expect, it, vi } from 'vitest';
import { readSecretValues } from '../../../../extension/src/backends/secret-values.js';
import type { Backends } from '../../../../extension/src/backends/types.js';
import { BackendError } from '../../../../extension/src/errors.js';

const denied = () => new BackendError('AccessDeniedException', 'not allowed', false);
const throttled = () => new BackendError('ThrottlingException', 'Rate exceeded', true);

function backendsAnswering(batch: (id: string) => string | Error, single: (id: string) => string | Error) {
  return {
    getParameter: vi.fn(),
    getParameters: vi.fn(),
    getParametersByPath: vi.fn(),
    getSecretValues: vi.fn(async (ids: readonly string[]) => new Map(ids.map((id) => [id, batch(id)]))),
    getSecretValue: vi.fn(async ({ secretId }: { secretId: string }) => {
      const answer = single(secretId);
      if (answer instanceof Error) throw answer;
      return answer;
    }),
  } satisfies Backends;
}

describe('readSecretValues', () => {
  it('reads one by one, with GetSecretValue, the ids BatchGetSecretValue was denied', async () => {
    const backends = backendsAnswering(
      (id) => (id === 'batch-denied' || id === 'denied' ? denied() : `batch:${id}`),
      (id) => (id === 'denied' ? denied() : `single:${id}`),
    );

    const results = await readSecretValues(backends, ['ok', 'batch-denied', 'denied']);

    expect(results.get('ok')).toBe('batch:ok');
    expect(results.get('batch-denied')).toBe('single:batch-denied');
    expect((results.get('denied') as BackendError).code).toBe('AccessDeniedException');
    expect(backends.getSecretValues).toHaveBeenCalledTimes(1);
    expect(backends.getSecretValue).toHaveBeenCalledTimes(2);
  });

  it('does not replay a throttled batch as one call per id', async () => {
    const backends = backendsAnswering(throttled, (id) => `single:${id}`);
    const results = await readSecretValues(backends, ['a', 'b']);
    expect((results.get('a') as BackendError).code).toBe('ThrottlingException');
    expect(backends.getSecretValue).not.toHaveBeenCalled();
  });
});
