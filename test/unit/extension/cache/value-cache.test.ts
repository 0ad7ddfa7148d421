import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CacheOptions, ValueCache } from '../../../../extension/src/cache/value-cache.js';
import { BackendError } from '../../../../extension/src/errors.js';

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

/** The stored value itself: a prepared copy of the fetched body, so a test sees what prepare made. */
const prepare = (json: string) => `prepared:${json}`;
const text = (entry: { value: string } | undefined) => entry?.value;
const cache = (options: Partial<CacheOptions<string>> = {}) =>
  new ValueCache<string>({
    enabled: true,
    size: 10,
    ttlMs: { ssm: TTL, secretsManager: TTL },
    staleOnError: false,
    prepare,
    ...options,
  });

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

    const first = await values.get('ssm', 'k', backend.fetch);
    const second = await values.get('ssm', 'k', backend.fetch);

    expect(text(first)).toBe('prepared:{"n":1}');
    expect(second).toBe(first);
    expect(backend.calls()).toBe(1);
  });

  it('stores what prepare makes of the fetched body, once per entry', async () => {
    const prepareSpy = vi.fn(prepare);
    const values = cache({ prepare: prepareSpy });
    const entry = await values.get('ssm', 'k', async () => '{"Value":"é"}');
    expect(entry.value).toBe('prepared:{"Value":"é"}');
    expect(values.fresh('ssm', 'k')).toBe(entry);
    expect(prepareSpy).toHaveBeenCalledTimes(1);
  });

  it('expires entries by the wall clock, even when no timer ran (a frozen sandbox)', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('ssm', 'k', backend.fetch);

    // Only the wall clock moves, as after a Lambda thaw: no timers fire in between.
    vi.setSystemTime(Date.now() + TTL - 1);
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":1}');
    vi.setSystemTime(Date.now() + 1);
    expect(values.fresh('ssm', 'k')).toBeUndefined();
    await values.get('ssm', 'k', backend.fetch);

    expect(backend.calls()).toBe(2);
  });

  it('treats a clock that went backwards as expired', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('ssm', 'k', backend.fetch);
    vi.setSystemTime(Date.now() - 60_000);
    expect(values.fresh('ssm', 'k')).toBeUndefined();
  });

  it('evicts the least recently used entry at the size bound', async () => {
    const backend = fakeBackend();
    const values = cache({ size: 2 });
    await values.get('ssm', 'a', backend.fetch);
    await values.get('ssm', 'b', backend.fetch);
    await values.get('ssm', 'a', backend.fetch); // a is now more recent than b
    await values.get('ssm', 'c', backend.fetch); // evicts b

    expect(text(values.fresh('ssm', 'a'))).toBe('prepared:{"n":1}');
    expect(values.fresh('ssm', 'b')).toBeUndefined();
    expect(text(values.fresh('ssm', 'c'))).toBe('prepared:{"n":3}');
  });

  it('does not cache errors', async () => {
    const backend = fakeBackend();
    const values = cache();
    backend.fail(new BackendError('ParameterNotFound', 'not found', false));
    await expect(values.get('ssm', 'k', backend.fetch)).rejects.toMatchObject({ code: 'ParameterNotFound' });
    backend.recover();

    expect(text(await values.get('ssm', 'k', backend.fetch))).toBe('prepared:{"n":2}');
  });

  it.each([
    ['TTL 0', { ttlMs: { ssm: 0, secretsManager: TTL } }],
    ['size 0', { size: 0 }],
    ['cache disabled', { enabled: false }],
  ])('calls the backend on every read with %s', async (_label, options) => {
    const backend = fakeBackend();
    const values = cache(options);
    await values.get('ssm', 'k', backend.fetch);
    await values.get('ssm', 'k', backend.fetch);

    expect(backend.calls()).toBe(2);
    expect(values.caches('ssm')).toBe(false);
  });

  it('shares one backend call among concurrent misses of one key (single-flight)', async () => {
    let release: (value: string) => void = () => {};
    const fetch = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const values = cache();

    const readers = Array.from({ length: 20 }, () => values.get('ssm', 'k', fetch));
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
      Array.from({ length: 5 }, () => values.get('ssm', 'k', backend.fetch)),
    );
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(backend.calls()).toBe(1);

    backend.recover();
    await values.get('ssm', 'k', backend.fetch);
    expect(backend.calls()).toBe(2);
  });

  it('keeps different keys apart (e.g. the decryption flag)', async () => {
    const backend = fakeBackend();
    const values = cache();
    const encrypted = await values.get('ssm', 'ssm\u00000\u0000/s', backend.fetch);
    const decrypted = await values.get('ssm', 'ssm\u00001\u0000/s', backend.fetch);
    expect(text(encrypted)).not.toBe(text(decrypted));
  });

  it('bypasses a fresh entry for refreshNow and stores the new value', async () => {
    const backend = fakeBackend();
    const values = cache();
    await values.get('ssm', 'k', backend.fetch);
    const refreshed = await values.get('ssm', 'k', backend.fetch, { refresh: true });

    expect(text(refreshed)).toBe('prepared:{"n":2}');
    expect(text(await values.get('ssm', 'k', backend.fetch))).toBe('prepared:{"n":2}');
  });

  describe('stale-on-error', () => {
    it('serves the expired value when the refresh fails transiently, then replaces it on success', async () => {
      const backend = fakeBackend();
      const onStale = vi.fn();
      const values = cache({ staleOnError: true, onStale });
      await values.get('ssm', 'k', backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);

      backend.fail(new BackendError('TimeoutError', 'no answer', true));
      expect(text(await values.get('ssm', 'k', backend.fetch))).toBe('prepared:{"n":1}');
      expect(onStale).toHaveBeenCalledTimes(1);

      backend.recover();
      expect(text(await values.get('ssm', 'k', backend.fetch))).toBe('prepared:{"n":3}');
    });

    it('returns a non-transient error (e.g. the parameter was deleted)', async () => {
      const backend = fakeBackend();
      const values = cache({ staleOnError: true });
      await values.get('ssm', 'k', backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);
      backend.fail(new BackendError('ParameterNotFound', 'gone', false));

      await expect(values.get('ssm', 'k', backend.fetch)).rejects.toMatchObject({
        code: 'ParameterNotFound',
      });
    });

    it('returns the error when disabled, and for refreshNow', async () => {
      const backend = fakeBackend();
      const disabled = cache({ staleOnError: false });
      const enabled = cache({ staleOnError: true });
      await disabled.get('ssm', 'k', backend.fetch);
      await enabled.get('ssm', 'k', backend.fetch);
      vi.setSystemTime(Date.now() + TTL + 1);
      backend.fail(new BackendError('ThrottlingException', 'Rate exceeded', true));

      await expect(disabled.get('ssm', 'k', backend.fetch)).rejects.toMatchObject({
        code: 'ThrottlingException',
      });
      await expect(enabled.get('ssm', 'k', backend.fetch, { refresh: true })).rejects.toMatchObject({
        code: 'ThrottlingException',
      });
    });
  });
});

describe('ValueCache.getMany', () => {
  const many = (answers: Record<string, string | Error>) =>
    vi.fn(
      async (keys: readonly string[]) =>
        new Map(keys.map((key) => [key, answers[key] ?? new Error('unasked')])),
    );
  const outcome = (settled: { entry?: { value: string }; error?: unknown }) =>
    'entry' in settled ? settled.entry?.value : (settled.error as Error).message;

  it('fetches only the keys that are not fresh, in one call, and answers in the order asked', async () => {
    const values = cache();
    await values.get('ssm', 'a', async () => 'A');
    const fetchMany = many({ b: 'B', c: 'C' });

    const settled = await values.getMany('ssm', ['b', 'a', 'c'], fetchMany);

    expect(fetchMany).toHaveBeenCalledTimes(1);
    expect(fetchMany).toHaveBeenCalledWith(['b', 'c']);
    expect(settled.map(outcome)).toEqual(['prepared:B', 'prepared:A', 'prepared:C']);
    expect(text(values.fresh('ssm', 'c'))).toBe('prepared:C');
  });

  it('makes no call when every key is fresh', async () => {
    const values = cache();
    await values.getMany('ssm', ['a', 'b'], many({ a: 'A', b: 'B' }));
    const again = many({});
    await values.getMany('ssm', ['a', 'b'], again);
    expect(again).not.toHaveBeenCalled();
  });

  it('shares one fetch per key with single reads (single-flight both ways)', async () => {
    const values = cache();
    const backend = fakeBackend();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetchMany = vi.fn(async (keys: readonly string[]) => {
      await gate;
      return new Map(keys.map((key) => [key, `many-${key}`]));
    });

    const batch = values.getMany('ssm', ['a', 'b'], fetchMany);
    const single = values.get('ssm', 'a', backend.fetch);
    const other = values.getMany('ssm', ['b'], many({}));
    release();

    expect(text(await single)).toBe('prepared:many-a');
    expect((await other).map(outcome)).toEqual(['prepared:many-b']);
    expect((await batch).map(outcome)).toEqual(['prepared:many-a', 'prepared:many-b']);
    expect(backend.calls()).toBe(0);
  });

  it('reads a key the batch left unanswered alone, once, only when a request waits for it', async () => {
    const values = cache();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Answers only 'a': 'b' (joined) and 'c' (nobody waits) are left unanswered.
    const fetchMany = vi.fn(async () => {
      await gate;
      return new Map([['a', 'many-a']]);
    });
    const singles: string[] = [];
    const single = (key: string) => async () => {
      singles.push(key);
      return `single-${key}`;
    };

    const batch = values.getMany('ssm', ['a', 'b', 'c'], fetchMany, { single });
    const waiting = [
      values.get('ssm', 'b', async () => 'own-b'),
      values.get('ssm', 'b', async () => 'own-b'),
    ];
    release();

    expect((await Promise.all(waiting)).map(text)).toEqual(['prepared:single-b', 'prepared:single-b']);
    expect((await batch).map(outcome)).toEqual([
      'prepared:many-a',
      'prepared:single-b',
      'the batch fetch did not answer this key',
    ]);
    expect(singles).toEqual(['b']);
    expect(text(values.fresh('ssm', 'b'))).toBe('prepared:single-b');
    expect(values.fresh('ssm', 'c')).toBeUndefined();
  });

  it('fails each key on its own and stores none that failed; a rejected fetch fails them all', async () => {
    const values = cache();
    const settled = await values.getMany(
      'ssm',
      ['a', 'b', 'c'],
      async () =>
        new Map<string, string | Error>([
          ['a', 'A'],
          ['b', new Error('b failed')],
        ]),
    );
    expect(settled.map(outcome)).toEqual([
      'prepared:A',
      'b failed',
      'the batch fetch did not answer this key',
    ]);
    expect(values.fresh('ssm', 'b')).toBeUndefined();
    expect(values.fresh('ssm', 'c')).toBeUndefined();

    const rejected = await values.getMany('ssm', ['x', 'y'], async () => {
      throw new Error('down');
    });
    expect(rejected.map(outcome)).toEqual(['down', 'down']);
  });

  it('serves an expired key stale on a transient error, per key', async () => {
    const values = cache({ staleOnError: true });
    await values.getMany('ssm', ['a', 'b'], many({ a: 'A', b: 'B' }));
    vi.advanceTimersByTime(TTL + 1);
    const throttled = new BackendError('ThrottlingException', 'slow down', true);
    const denied = new BackendError('AccessDeniedException', 'no', false);

    const settled = await values.getMany('ssm', ['a', 'b'], many({ a: throttled, b: denied }));

    expect(settled.map(outcome)).toEqual(['prepared:A', 'no']);
  });
});

describe('ValueCache refresh-ahead', () => {
  const ahead = (options: Partial<CacheOptions<string>> = {}) =>
    cache({ refreshAheadPercent: 50, ...options });
  const settle = () => vi.advanceTimersByTimeAsync(0);

  it('answers a hit past the fraction from the cache and refreshes it in the background, once', async () => {
    const values = ahead();
    const backend = fakeBackend();
    await values.get('ssm', 'k', backend.fetch);

    vi.advanceTimersByTime(TTL / 2 - 1);
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":1}');
    expect(backend.calls()).toBe(1);

    vi.advanceTimersByTime(2);
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":1}');
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":1}');
    expect(backend.calls()).toBe(2);
    await settle();
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":2}');
    expect(values.stats.refreshesAhead).toBe(1);
  });

  it('times the refreshed value from when the refresh started (a freeze during it ages the value)', async () => {
    const values = ahead();
    let release: (json: string) => void = () => undefined;
    let calls = 0;
    const fetch = () => {
      calls++;
      if (calls === 1) return Promise.resolve('{"n":1}');
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    await values.get('ssm', 'k', fetch);
    vi.advanceTimersByTime(TTL / 2 + 1);
    values.fresh('ssm', 'k');
    vi.advanceTimersByTime(TTL / 4);
    release('{"n":2}');
    await settle();
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":2}');
    // Expires TTL after the refresh started, not TTL after it ended.
    vi.advanceTimersByTime(TTL - TTL / 4);
    expect(values.fresh('ssm', 'k')).toBeUndefined();
  });

  it('keeps the current value when the refresh fails, and does not retry it before the TTL ends', async () => {
    const values = ahead();
    const backend = fakeBackend();
    await values.get('ssm', 'k', backend.fetch);
    backend.fail(new BackendError('ThrottlingException', 'slow down', true));

    vi.advanceTimersByTime(TTL / 2 + 1);
    values.fresh('ssm', 'k');
    await settle();
    vi.advanceTimersByTime(TTL / 4);
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":1}');
    await settle();
    expect(backend.calls()).toBe(2);
    expect(values.stats.refreshAheadFailures).toBe(1);

    vi.advanceTimersByTime(TTL / 4);
    expect(values.fresh('ssm', 'k')).toBeUndefined();
  });

  it('never lets a late refresh overwrite a newer entry, and never makes a request wait for it', async () => {
    const values = ahead();
    let calls = 0;
    let releaseRefresh: (json: string) => void = () => undefined;
    const fetch = () => {
      calls++;
      if (calls === 2) {
        return new Promise<string>((resolve) => {
          releaseRefresh = resolve;
        });
      }
      return Promise.resolve(`{"n":${calls}}`);
    };
    await values.get('ssm', 'k', fetch);
    vi.advanceTimersByTime(TTL / 2 + 1);
    values.fresh('ssm', 'k'); // starts the refresh, which hangs (a freeze cut it)

    vi.advanceTimersByTime(TTL);
    const afterExpiry = await values.get('ssm', 'k', fetch);
    expect(text(afterExpiry)).toBe('prepared:{"n":3}');

    releaseRefresh('{"n":2}');
    await settle();
    expect(text(values.fresh('ssm', 'k'))).toBe('prepared:{"n":3}');
  });

  it('refreshes batch-loaded entries one key at a time', async () => {
    const values = ahead();
    const fetchMany = vi.fn(
      async (keys: readonly string[]) =>
        new Map(keys.map((key) => [key, `${key}-${fetchMany.mock.calls.length}`])),
    );
    await values.getMany('ssm', ['a', 'b'], fetchMany);
    vi.advanceTimersByTime(TTL / 2 + 1);
    values.fresh('ssm', 'a');
    await settle();
    expect(fetchMany).toHaveBeenLastCalledWith(['a']);
    expect(text(values.fresh('ssm', 'a'))).toBe('prepared:a-2');
  });
});

describe('ValueCache stale max age', () => {
  it('serves stale on a transient error only while the value is younger than the max age', async () => {
    const values = cache({ staleOnError: true, staleMaxAgeMs: TTL * 2 });
    const backend = fakeBackend();
    await values.get('ssm', 'k', backend.fetch);
    backend.fail(new BackendError('ThrottlingException', 'slow down', true));

    vi.advanceTimersByTime(TTL * 2);
    expect(text(await values.get('ssm', 'k', backend.fetch))).toBe('prepared:{"n":1}');
    expect(values.stats.staleAnswers).toBe(1);

    vi.advanceTimersByTime(1);
    await expect(values.get('ssm', 'k', backend.fetch)).rejects.toMatchObject({
      code: 'ThrottlingException',
    });
  });
});
