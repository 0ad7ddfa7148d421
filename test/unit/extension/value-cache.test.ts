import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CacheOptions, ValueCache } from '../../../extension/src/cache/value-cache.js';
import { BackendError } from '../../../extension/src/request/errors.js';

const TTL = 10_000;

/** A backend that answers with a numbered body and counts its calls. */
function fakeBackend() {
  let calls = 0;
  let failWith: unknown;
  const fetch = vi.fn(async () => {
    calls++;
    if (failWith !== undefined) throw failWith;
    return `{"n":${calls}}`;
  });
  return {
    fetch,
    calls: () => calls,
    fail: (error: unknown) => {
      failWith = error;
    },
    recover: () => {
      failWith = undefined;
    },
  };
}

const text = (entry: { body: Buffer }) => entry.body.toString('utf8');
const cache = (options: Partial<CacheOptions> = {}) =>
  new ValueCache({ enabled: true, size: 10, staleOnError: false, ...options });

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ValueCache', () => {
  it('serves a second read from the cache', async () => {
    const backend = fakeBackend();
    const values = cache();

    const first = await values.get('k', TTL, backend.fetch);
    const second = await values.get('k', TTL, backend.fetch);

    expect(text(first)).toBe('{"n":1}');
    expect(second).toBe(first);
    expect(backend.calls()).toBe(1);
  });

  it('prepares the body and headers once per entry', async () => {
    const entry = await cache().get('k', TTL, async () => '{"Value":"é"}');
    expect(entry.headers).toEqual([
      'Content-Type',
      'text/plain',
      'Content-Length',
      String(entry.body.length),
    ]);
    expect(entry.body.length).toBe(14);
  });

  it('expires entries by the wall clock, even when no timer ran (a frozen sandbox)', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('k', TTL, backend.fetch);

    // Only the wall clock moves, as after a Lambda thaw: no timers fire in between.
    vi.setSystemTime(Date.now() + TTL - 1);
    expect(values.fresh('k', TTL)).toBeDefined();
    vi.setSystemTime(Date.now() + 1);
    expect(values.fresh('k', TTL)).toBeUndefined();
    await values.get('k', TTL, backend.fetch);

    expect(backend.calls()).toBe(2);
  });

  it('treats a clock that went backwards as expired', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('k', TTL, backend.fetch);
    vi.setSystemTime(Date.now() - 60_000);
    expect(values.fresh('k', TTL)).toBeUndefined();
  });

  it('evicts the least recently used entry at the size bound', async () => {
    const backend = fakeBackend();
    const values = cache({ size: 2 });
    await values.get('a', TTL, backend.fetch);
    await values.get('b', TTL, backend.fetch);
    await values.get('a', TTL, backend.fetch); // a is now more recent than b
    await values.get('c', TTL, backend.fetch); // evicts b

    expect(values.size).toBe(2);
    expect(values.fresh('a', TTL)).toBeDefined();
    expect(values.fresh('b', TTL)).toBeUndefined();
    expect(values.fresh('c', TTL)).toBeDefined();
  });

  it('does not cache errors', async () => {
    const backend = fakeBackend();
    const values = cache();
    backend.fail(new BackendError('ParameterNotFound', 'not found', false));
    await expect(values.get('k', TTL, backend.fetch)).rejects.toMatchObject({ code: 'ParameterNotFound' });
    backend.recover();

    expect(text(await values.get('k', TTL, backend.fetch))).toBe('{"n":2}');
  });

  it.each([
    ['TTL 0', { ttl: 0, options: {} }],
    ['size 0', { ttl: TTL, options: { size: 0 } }],
    ['cache disabled', { ttl: TTL, options: { enabled: false } }],
  ])('calls the backend on every read with %s', async (_label, { ttl, options }) => {
    const backend = fakeBackend();
    const values = cache(options);
    await values.get('k', ttl, backend.fetch);
    await values.get('k', ttl, backend.fetch);

    expect(backend.calls()).toBe(2);
    expect(values.caches(ttl)).toBe(false);
  });

  it('shares one backend call among concurrent misses of one key (single-flight)', async () => {
    let release: (value: string) => void = () => {};
    const fetch = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const values = cache();

    const readers = Array.from({ length: 20 }, () => values.get('k', TTL, fetch));
    release('{"shared":true}');
    const entries = await Promise.all(readers);

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Set(entries).size).toBe(1);
  });

  it('shares one failing call too, and the next read tries again', async () => {
    const backend = fakeBackend();
    backend.fail(new BackendError('ThrottlingException', 'Rate exceeded', true));
    const values = cache();

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => values.get('k', TTL, backend.fetch)),
    );
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(backend.calls()).toBe(1);

    backend.recover();
    await values.get('k', TTL, backend.fetch);
    expect(backend.calls()).toBe(2);
  });

  it('keeps different keys apart (e.g. the decryption flag)', async () => {
    const backend = fakeBackend();
    const values = cache();
    const encrypted = await values.get('ssm\u00000\u0000/s', TTL, backend.fetch);
    const decrypted = await values.get('ssm\u00001\u0000/s', TTL, backend.fetch);
    expect(text(encrypted)).not.toBe(text(decrypted));
  });

  it('bypasses a fresh entry for refreshNow and stores the new value', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('k', TTL, backend.fetch);
    const refreshed = await values.get('k', TTL, backend.fetch, { refresh: true });

    expect(text(refreshed)).toBe('{"n":2}');
    expect(text(await values.get('k', TTL, backend.fetch))).toBe('{"n":2}');
  });

  describe('stale-on-error', () => {
    it('serves the expired value when the refresh fails transiently, then replaces it on success', async () => {
      const backend = fakeBackend();
      const onStale = vi.fn();
      const values = cache({ staleOnError: true, onStale });
      await values.get('k', TTL, backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);

      backend.fail(new BackendError('TimeoutError', 'no answer', true));
      expect(text(await values.get('k', TTL, backend.fetch))).toBe('{"n":1}');
      expect(onStale).toHaveBeenCalledTimes(1);

      backend.recover();
      expect(text(await values.get('k', TTL, backend.fetch))).toBe('{"n":3}');
    });

    it('returns a non-transient error (e.g. the parameter was deleted)', async () => {
      const backend = fakeBackend();
      const values = cache({ staleOnError: true });
      await values.get('k', TTL, backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);
      backend.fail(new BackendError('ParameterNotFound', 'gone', false));

      await expect(values.get('k', TTL, backend.fetch)).rejects.toMatchObject({ code: 'ParameterNotFound' });
    });

    it('returns the error when disabled, and for refreshNow', async () => {
      const backend = fakeBackend();
      const disabled = cache({ staleOnError: false });
      const enabled = cache({ staleOnError: true });
      await disabled.get('k', TTL, backend.fetch);
      await enabled.get('k', TTL, backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);
      backend.fail(new BackendError('ThrottlingException', 'Rate exceeded', true));

      await expect(disabled.get('k', TTL, backend.fetch)).rejects.toMatchObject({
        code: 'ThrottlingException',
      });
      await expect(enabled.get('k', TTL, backend.fetch, { refresh: true })).rejects.toMatchObject({
        code: 'ThrottlingException',
      });
    });
  });

  it('stores prefetched values only where caching is on', () => {
    const values = cache();
    values.put('k', TTL, '{"pre":1}');
    values.put('z', 0, '{"pre":2}');
    expect(values.fresh('k', TTL)).toBeDefined();
    expect(values.fresh('z', TTL)).toBeUndefined();
  });
});
