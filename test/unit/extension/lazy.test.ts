import { describe, expect, it, vi } from 'vitest';
import { lazy } from '../../../extension/src/lazy.js';

describe('lazy', () => {
  it('loads once for every caller, concurrent or later', async () => {
    const load = vi.fn(async () => ({ loaded: true }));
    const get = lazy(load);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('no')).mockResolvedValueOnce('second');
    const get = lazy(load);
    await expect(get()).rejects.toThrow('no');
    expect(await get()).toBe('second');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
