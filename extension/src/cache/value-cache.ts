/**
 * The read-through cache: LRU-bounded entries, a TTL per service measured by the wall clock, one backend
 * call per key at a time (single-flight), errors never cached, optional stale-on-error. It knows nothing
 * of HTTP: it stores whatever `prepare` makes of a fetched JSON body (the HTTP layer prepares the bytes
 * of its answer once per entry).
 *
 * Why not lru-cache's own ttl/fetchMethod: its clock is performance.now(), a monotonic clock that stops
 * while Lambda freezes the sandbox, so entries would outlive their TTL by the frozen time. We keep
 * a bounded LRU (lru.ts) for the order and time entries with Date.now().
 */

import { isTransient } from '../errors.js';
import type { Service } from '../service.js';
import { Lru } from './lru.js';

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

export class ValueCache<T> {
  private readonly entries: Lru<string, CacheEntry<T>> | undefined;
  private readonly inFlight = new Map<string, Promise<CacheEntry<T>>>();
  private readonly now: () => number;
  private readonly options: CacheOptions<T>;

  constructor(options: CacheOptions<T>) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.entries = options.enabled && options.size > 0 ? new Lru(options.size) : undefined;
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
