import { describe, expect, it, vi } from 'vitest';
import type { Backends } from '../../../../extension/src/backends/types.js';
import { afterFirstCall } from '../../../../extension/src/sdk/young-generation.js';

function fakeBackends(fail = false): Backends {
  const answer = async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail) throw new Error('ConnectionError');
    return '{"ok":true}';
  };
  return {
    getParameter: answer,
    getSecretValue: answer,
    getParameters: async () => new Map(),
    getParametersByPath: async () => ({ parameters: [] }),
    getSecretValues: async () => new Map(),
  };
}

describe('afterFirstCall', () => {
  it('runs once, after the first call settled, and passes answers through', async () => {
    const once = vi.fn();
    const backends = afterFirstCall(fakeBackends(), once);
    const first = backends.getSecretValue({ secretId: 's', versionId: undefined, versionStage: undefined });
    expect(once).not.toHaveBeenCalled();
    await expect(first).resolves.toBe('{"ok":true}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(once).toHaveBeenCalledTimes(1);
    await backends.getParameter({ name: 'p', withDecryption: false });
    await backends.getParameters(['p'], false);
    expect(once).toHaveBeenCalledTimes(1);
  });

  it('runs after a failed first call too, and the caller still gets the error', async () => {
    const once = vi.fn();
    const backends = afterFirstCall(fakeBackends(true), once);
    await expect(backends.getParameter({ name: 'p', withDecryption: false })).rejects.toThrow(
      'ConnectionError',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(once).toHaveBeenCalledTimes(1);
  });
});
