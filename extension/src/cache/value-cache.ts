/**
 * The read-through cache: LRU-bounded entries, a TTL per service measured by the wall clock, one backend
 * call per key at a time (single-flight), errors never cached, optional stale-on-error. It knows nothing
 * of HTTP: it stores whatever `prepare` makes of a fetched JSON body (the HTTP layer prepares the bytes
 * of its answer once per entry).
 *
 * Refresh-ahead (opt-in): a hit on an entry past a set fraction of its TTL is answered from the cache
 * and refetched in the background, at most once per entry (so at most once per TTL), with the fetcher
 * that loaded it. Such a refresh is never joined by a request (it is not in `inFlight`): a refresh cut
 * by a freeze can therefore block nobody; once the entry expires, a request fetches as on any miss. A
 * refresh's result replaces only the entry that started it (never a newer one), timed from when the
 * refresh started (a freeze during the call ages the value, never rejuvenates it); a failed refresh
 * leaves the entry as it was until its TTL ends.
 *
 * Why not lru-cache's own ttl/fetchMethod: its clock is performance.now(), a monotonic clock that stops
 * while Lambda freezes the sandbox, so entries would outlive their TTL by the frozen time. We keep
 * lru-cache for what it is good at (bounded LRU order, eviction callbacks) and time entries with
 * Date.now().
 */
import { LRUCache } from 'lru-cache';
import { isTransient } from '../errors.js';
import type { Service } from '../service.js';

export interface CacheEntry<T> {
  readonly value: T;
  /** Wall-clock time (ms since epoch) when the value was fetched. */
  readonly storedAt: number;
  /** How to fetch this value again (refresh-ahead); absent for values stored without one. */
  readonly refetch?: Fetcher | undefined;
}

/** What the cache did, counted for /metrics (plain counters: the hot path adds one increment). */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Expired values served because their refresh failed (stale-on-error). */
  staleAnswers: number;
  refreshesAhead: number;
  refreshAheadFailures: number;
  /** Entries dropped to make room (CACHE_SIZE), not expired or replaced ones. */
  evictions: number;
}

/** Every counter at zero (a cache starts so; tests build theirs with it). */
export function emptyCacheStats(): CacheStats {
  return { hits: 0, misses: 0, staleAnswers: 0, refreshesAhead: 0, refreshAheadFailures: 0, evictions: 0 };
}

export interface CacheOptions<T> {
  readonly enabled: boolean;
  /** Shared by parameters and secrets; 0 bypasses the cache. */
  readonly size: number;
  /** Time-to-live per service; 0 bypasses the cache for that service. */
  readonly ttlMs: Readonly<Record<Service, number>>;
  readonly staleOnError: boolean;
  /** Stale-on-error never serves a value older than this (ms since fetched); 0 or absent: no bound. */
  readonly staleMaxAgeMs?: number;
  /** Refresh a hit in the background once its age passes this percentage of the TTL; 0 or absent: off. */
  readonly refreshAheadPercent?: number;
  /** Turns a fetched JSON body into what is stored and handed out. */
  readonly prepare: (json: string) => T;
  readonly now?: () => number;
  /** Told when an expired value is served because its refresh failed (for a WARN line naming the key). */
  readonly onStale?: (key: string, error: unknown) => void;
}

export interface GetOptions {
  /** Skip the cached value for this request (refreshNow=true); the fresh result is still stored. */
  readonly refresh?: boolean;
}

export interface GetManyOptions extends GetOptions {
  /**
   * For a key the batch leaves unanswered (NotAnswered): how to read it alone. Used only when another
   * request joined that key while the batch was in flight, so an unanswered key costs a backend call
   * only when somebody is waiting for it (prefetch warms keys it may not be able to fill).
   */
  readonly single?: (key: string) => Fetcher;
  /** Not a request (prefetch): its keys are not counted as misses. */
  readonly uncounted?: boolean;
}

export type Fetcher = () => Promise<string>;

/**
 * Fetches several keys with as few backend calls as the API allows: for each key asked, its JSON body
 * or the error that key failed with. A key missing from the map fails with NotAnswered.
 * Rejecting fails every key with that error.
 */
export type ManyFetcher = (keys: readonly string[]) => Promise<ReadonlyMap<string, string | Error>>;

/** One key's outcome in getMany, in the order asked. */
export type Settled<T> = { readonly entry: CacheEntry<T> } | { readonly error: unknown };

/** The error of a key a ManyFetcher left out of its answer (a fetcher bug or a backend that skipped it). */
export class NotAnswered extends Error {
  override readonly name = 'NotAnswered';
  constructor() {
    super('the batch fetch did not answer this key');
  }
}

export class ValueCache<T> {
  readonly stats: CacheStats = emptyCacheStats();
  private readonly entries: LRUCache<string, CacheEntry<T>> | undefined;
  private readonly inFlight = new Map<string, Promise<CacheEntry<T>>>();
  /** Keys in `inFlight` that a second caller joined (getMany's `single` serves only those). */
  private readonly joined = new Set<string>();
  /** Entries whose refresh-ahead has started (weak: an entry replaced or evicted is forgotten). */
  private readonly refreshedAhead = new WeakSet<CacheEntry<T>>();
  /** Age (ms) past which a hit refreshes ahead, per service; undefined: refresh-ahead is off. */
  private readonly aheadAfterMs: Readonly<Record<Service, number>> | undefined;
  private readonly now: () => number;
  private readonly options: CacheOptions<T>;

  constructor(options: CacheOptions<T>) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.entries =
      options.enabled && options.size > 0
        ? new LRUCache({
            max: options.size,
            dispose: (_value, _key, reason) => {
              if (reason === 'evict') this.stats.evictions++;
            },
          })
        : undefined;
    const percent = options.refreshAheadPercent ?? 0;
    this.aheadAfterMs =
      percent > 0
        ? {
            ssm: (options.ttlMs.ssm * percent) / 100,
            secretsManager: (options.ttlMs.secretsManager * percent) / 100,
          }
        : undefined;
  }

  /** Whether a service caches at all (AWS's rule: enabled, size > 0 and TTL > 0). */
  caches(service: Service): boolean {
    return this.entries !== undefined && this.options.ttlMs[service] > 0;
  }

  /** The hot path: a fresh entry or undefined, without promises. Marks the entry recently used. */
  fresh(service: Service, key: string): CacheEntry<T> | undefined {
    if (this.entries === undefined || !this.caches(service)) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.isFresh(entry, this.options.ttlMs[service])) {
      this.stats.hits++;
      if (this.aheadAfterMs !== undefined) this.refreshAhead(key, entry, this.aheadAfterMs[service]);
      return entry;
    }
    if (!this.options.staleOnError) this.entries.delete(key);
    return undefined;
  }

  /** Cached value if fresh, otherwise one shared backend call for every concurrent caller of this key. */
  async get(service: Service, key: string, fetch: Fetcher, options: GetOptions = {}): Promise<CacheEntry<T>> {
    if (!options.refresh) {
      const hit = this.fresh(service, key);
      if (hit !== undefined) return hit;
    }
    this.stats.misses++;
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.joined.add(key);
      return pending;
    }
    const started = this.load(service, key, fetch, options.refresh === true);
    this.inFlight.set(key, started);
    try {
      return await started;
    } finally {
      this.inFlight.delete(key);
      this.joined.delete(key);
    }
  }

  /**
   * Many keys at once: fresh entries from the cache, keys already being fetched joined (single-flight
   * per key, with single reads and other batches alike), and every other key handed to one call of
   * `fetchMany`. Each key succeeds or fails on its own; a failed key is never stored, and may be served
   * stale exactly as in `get`.
   */
  async getMany(
    service: Service,
    keys: readonly string[],
    fetchMany: ManyFetcher,
    options: GetManyOptions = {},
  ): Promise<Array<Settled<T>>> {
    const outcomes: Array<Promise<CacheEntry<T>> | CacheEntry<T>> = [];
    const missing: string[] = [];
    const settle = new Map<
      string,
      { resolve: (entry: CacheEntry<T>) => void; reject: (e: unknown) => void }
    >();
    for (const key of keys) {
      const hit = options.refresh ? undefined : this.fresh(service, key);
      if (hit !== undefined) {
        outcomes.push(hit);
        continue;
      }
      if (options.uncounted !== true) this.stats.misses++;
      const pending = this.inFlight.get(key);
      if (pending !== undefined) {
        this.joined.add(key);
        outcomes.push(pending);
        continue;
      }
      const started = new Promise<CacheEntry<T>>((resolve, reject) => settle.set(key, { resolve, reject }));
      // Joiners may be absent; the caller's own outcome is read below, so this rejection is handled.
      started.catch(() => undefined);
      this.inFlight.set(key, started);
      missing.push(key);
      outcomes.push(started);
    }
    if (missing.length > 0) {
      const refresh = options.refresh === true;
      const answered = await fetchMany(missing).then(
        (map) => map,
        (error: unknown) => error,
      );
      for (const key of missing) {
        const result = answered instanceof Map ? (answered.get(key) ?? new NotAnswered()) : answered;
        const { resolve, reject } = settle.get(key) as {
          resolve: (e: CacheEntry<T>) => void;
          reject: (e: unknown) => void;
        };
        const single = options.single;
        if (result instanceof NotAnswered && single !== undefined && this.joined.has(key)) {
          // Somebody waits for a key the batch could not fill: one read of it alone, still in flight.
          this.load(service, key, single(key), refresh)
            .then(resolve, reject)
            .finally(() => this.settled(key));
          continue;
        }
        this.settled(key);
        if (typeof result === 'string') {
          const entry = this.entry(result, this.refetchOne(fetchMany, key));
          if (this.caches(service)) this.entries?.set(key, entry);
          resolve(entry);
          continue;
        }
        const stale = this.staleFor(key, result, refresh);
        if (stale !== undefined) resolve(stale);
        else reject(result);
      }
    }
    return Promise.all(
      outcomes.map((outcome) =>
        Promise.resolve(outcome).then(
          (entry): Settled<T> => ({ entry }),
          (error: unknown): Settled<T> => ({ error }),
        ),
      ),
    );
  }

  /** A key's fetch is over: later callers start their own. */
  private settled(key: string): void {
    this.inFlight.delete(key);
    this.joined.delete(key);
  }

  /** Stores a value fetched elsewhere (prefetch, a by-path read's items); `refetch` enables refresh-ahead. */
  put(service: Service, key: string, json: string, refetch?: Fetcher): void {
    if (this.caches(service)) this.entries?.set(key, this.entry(json, refetch));
  }

  private isFresh(entry: CacheEntry<T>, ttlMs: number): boolean {
    const age = this.now() - entry.storedAt;
    // A clock that went backwards (NTP step after a thaw) makes the age meaningless: treat as expired.
    return age >= 0 && age < ttlMs;
  }

  private entry(json: string, refetch: Fetcher | undefined, storedAt = this.now()): CacheEntry<T> {
    return { value: this.options.prepare(json), storedAt, refetch };
  }

  /** A fetcher for one key of a batch, so a batch-loaded entry can refresh ahead on its own. */
  private refetchOne(fetchMany: ManyFetcher, key: string): Fetcher {
    return async () => {
      const result = (await fetchMany([key])).get(key);
      if (typeof result === 'string') return result;
      throw result ?? new NotAnswered();
    };
  }

  private refreshAhead(key: string, entry: CacheEntry<T>, afterMs: number): void {
    const refetch = entry.refetch;
    if (refetch === undefined || this.now() - entry.storedAt < afterMs || this.refreshedAhead.has(entry))
      return;
    this.refreshedAhead.add(entry);
    this.stats.refreshesAhead++;
    const startedAt = this.now();
    refetch().then(
      (json) => {
        // Replaced (a miss after expiry, refreshNow) or evicted meanwhile: the newer state stands.
        if (this.entries?.peek(key) === entry) this.entries.set(key, this.entry(json, refetch, startedAt));
      },
      () => {
        this.stats.refreshAheadFailures++;
      },
    );
  }

  private async load(
    service: Service,
    key: string,
    fetch: Fetcher,
    refresh: boolean,
  ): Promise<CacheEntry<T>> {
    try {
      const entry = this.entry(await fetch(), fetch);
      if (this.caches(service)) this.entries?.set(key, entry);
      return entry;
    } catch (error) {
      const stale = this.staleFor(key, error, refresh);
      if (stale !== undefined) return stale;
      throw error;
    }
  }

  /** The expired entry stale-on-error may serve for a failed refresh of `key`, told and counted. */
  private staleFor(key: string, error: unknown, refresh: boolean): CacheEntry<T> | undefined {
    // refreshNow asks for the backend's answer, so it gets the backend's error too.
    if (!this.options.staleOnError || refresh || this.entries === undefined) return undefined;
    if (!isTransient(error)) return undefined;
    const stale = this.entries.peek(key);
    if (stale === undefined) return undefined;
    const maxAge = this.options.staleMaxAgeMs ?? 0;
    if (maxAge > 0 && !(this.now() - stale.storedAt <= maxAge)) return undefined;
    this.stats.staleAnswers++;
    this.options.onStale?.(key, error);
    return stale;
  }
}
