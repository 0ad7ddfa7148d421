/**
 * The read-through cache: LRU-bounded entries, a TTL per service measured by the wall clock, one backend
 * call per key at a time (single-flight), errors never cached, optional stale-on-error. It knows nothing
 * of HTTP: it stores whatever `prepare` makes of a fetched JSON body (the HTTP layer prepares the bytes
 * of its answer once per entry).
 *
 * Why not lru-cache's own ttl/fetchMethod: its clock is performance.now(), a monotonic clock that stops
 * while Lambda freezes the sandbox, so entries would outlive their TTL by the frozen time. We keep
 * lru-cache for what it is good at (bounded LRU order) and time entries with Date.now().
 */
import { LRUCache } from 'lru-cache';
import { isTransient } from '../errors.js';
import type { Service } from '../service.js';

export interface CacheEntry<T> {
  readonly value: T;
  /** Wall-clock time (ms since epoch) when the value was fetched. */
  readonly storedAt: number;
}

export interface CacheOptions<T> {
  readonly enabled: boolean;
  /** Shared by parameters and secrets; 0 bypasses the cache. */
  readonly size: number;
  /** Time-to-live per service; 0 bypasses the cache for that service. */
  readonly ttlMs: Readonly<Record<Service, number>>;
  readonly staleOnError: boolean;
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
  private readonly entries: LRUCache<string, CacheEntry<T>> | undefined;
  private readonly inFlight = new Map<string, Promise<CacheEntry<T>>>();
  private readonly now: () => number;
  private readonly options: CacheOptions<T>;

  constructor(options: CacheOptions<T>) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.entries = options.enabled && options.size > 0 ? new LRUCache({ max: options.size }) : undefined;
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
    if (this.isFresh(entry, this.options.ttlMs[service])) return entry;
    if (!this.options.staleOnError) this.entries.delete(key);
    return undefined;
  }

  /** Cached value if fresh, otherwise one shared backend call for every concurrent caller of this key. */
  async get(service: Service, key: string, fetch: Fetcher, options: GetOptions = {}): Promise<CacheEntry<T>> {
    if (!options.refresh) {
      const hit = this.fresh(service, key);
      if (hit !== undefined) return hit;
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const started = this.load(service, key, fetch, options.refresh === true);
    this.inFlight.set(key, started);
    try {
      return await started;
    } finally {
      this.inFlight.delete(key);
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
    options: GetOptions = {},
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
      const pending = this.inFlight.get(key);
      if (pending !== undefined) {
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
        this.inFlight.delete(key);
        if (typeof result === 'string') {
          const entry = this.entry(result);
          if (this.caches(service)) this.entries?.set(key, entry);
          resolve(entry);
          continue;
        }
        const stale = this.staleFor(key, result, refresh);
        if (stale !== undefined) {
          this.options.onStale?.(key, result);
          resolve(stale);
        } else reject(result);
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

  /** Stores a value fetched elsewhere (prefetch). */
  put(service: Service, key: string, json: string): void {
    if (this.caches(service)) this.entries?.set(key, this.entry(json));
  }

  private isFresh(entry: CacheEntry<T>, ttlMs: number): boolean {
    const age = this.now() - entry.storedAt;
    // A clock that went backwards (NTP step after a thaw) makes the age meaningless: treat as expired.
    return age >= 0 && age < ttlMs;
  }

  private entry(json: string): CacheEntry<T> {
    return { value: this.options.prepare(json), storedAt: this.now() };
  }

  private async load(
    service: Service,
    key: string,
    fetch: Fetcher,
    refresh: boolean,
  ): Promise<CacheEntry<T>> {
    try {
      const entry = this.entry(await fetch());
      if (this.caches(service)) this.entries?.set(key, entry);
      return entry;
    } catch (error) {
      const stale = this.staleFor(key, error, refresh);
      if (stale !== undefined) {
        this.options.onStale?.(key, error);
        return stale;
      }
      throw error;
    }
  }

  private staleFor(key: string, error: unknown, refresh: boolean): CacheEntry<T> | undefined {
    // refreshNow asks for the backend's answer, so it gets the backend's error too.
    if (!this.options.staleOnError || refresh || this.entries === undefined) return undefined;
    if (!isTransient(error)) return undefined;
    return this.entries.peek(key);
  }
}
