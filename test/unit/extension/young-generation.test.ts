import { getHeapSpaceStatistics } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backends } from '../../../extension/src/backends/types.js';
import { createLogger } from '../../../extension/src/logger.js';
import { YoungGenerationTrimmer } from '../../../extension/src/memory/young-generation.js';

const MiB = 1024 * 1024;
const newSpace = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/** Allocates like a burst of SDK loading: many objects survive scavenges, so V8 grows the new space. */
function growNewSpace(): void {
  let survivors: object[] = [];
  for (let round = 0; round < 400 && newSpace() <= 8 * MiB; round++) {
    for (let i = 0; i < 20_000; i++) survivors.push({ i, text: `value-${i}` });
    if (survivors.length > 200_000) survivors = [];
  }
}

const backends: Backends = {
  getParameter: async ({ name }) => `{"name":"${name}"}`,
  getParameters: async () => [],
  getSecretValue: async () => {
    throw new Error('not found');
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('YoungGenerationTrimmer', () => {
  it('passes results and errors of the wrapped backends through unchanged', async () => {
    const wrapped = new YoungGenerationTrimmer(createLogger('NONE')).wrap(backends);
    await expect(wrapped.getParameter({ name: '/a', withDecryption: false })).resolves.toBe('{"name":"/a"}');
    await expect(
      wrapped.getSecretValue({ secretId: 's', versionId: undefined, versionStage: undefined }),
    ).rejects.toThrow('not found');
  });

  it('shrinks a grown new space once backend calls have been quiet for a while, and not before', async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const trimmer = new YoungGenerationTrimmer(createLogger('DEBUG', (line) => lines.push(line)));
    const wrapped = trimmer.wrap(backends);
    growNewSpace();
    expect(newSpace()).toBeGreaterThan(4 * MiB);
    await wrapped.getParameter({ name: '/a', withDecryption: false });
    await vi.advanceTimersByTimeAsync(100);
    expect(lines).toEqual([]); // still within the quiet period
    await vi.advanceTimersByTimeAsync(1_000);
    expect(newSpace()).toBeLessThanOrEqual(4 * MiB);
    expect(lines.join('')).toMatch(/Young generation trimmed from \d+ to \d+ MiB/);
  });
});
