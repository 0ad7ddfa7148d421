/**
 * The read-through cache: LRU-bounded entries, per-service TTL measured by the wall clock, one backend
 * call per key at a time (single-flight), errors never cached, optional stale-on-error.
 *
 * Why not lru-cache's own ttl/fetchMethod: its clock is performance.now(), a monotonic clock that stops
 * while Lambda freezes the sandbox, so entries would outlive their TTL by the frozen time. We keep
 * lru-cache for what it is good at (bounded LRU order) and time entries with Date.now().
 */
import { LRUCache } from 'lru-cache';
import { isHttpFailure } from '../request/errors.js';
import { type PreparedBody, prepareBody } from '../request/responses.js';

export interface CacheEntry extends PreparedBody {
  /** Wall-clock time (ms since epoch) when the value was fetched. */
  readonly storedAt: number;
}

export interface CacheOptions {
  readonly enabled: boolean;
  /** Shared by parameters and secrets; 0 bypasses the cache. */
  readonly size: number;
  readonly staleOnError: boolean;
  readonly now?: () => number;
  /** Told when an expired value is served because its refresh failed (for a WARN line naming the key). */
  readonly onStale?: (key: string, error: unknown) => void;
}

export interface GetOptions {
  /** Skip the cached value for this request (refreshNow=true); the fresh result is still stored. */
  readonly refresh?: boolean;
}

export type Fetcher = () => Promise<string>;

export class ValueCache {
  private readonly entries: LRUCache<string, CacheEntry> | undefined;
  private readonly inFlight = new Map<string, Promise<CacheEntry>>();
  private readonly now: () => number;
  private readonly options: CacheOptions;

  constructor(options: CacheOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.entries = options.enabled && options.size > 0 ? new LRUCache({ max: options.size }) : undefined;
  }

  /** Whether a service with this TTL caches at all (AWS's rule: enabled, size > 0 and TTL > 0). */
  caches(ttlMs: number): boolean {
    return this.entries !== undefined && ttlMs > 0;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The hot path: a fresh entry or undefined, without promises. Marks the entry recently used. */
  fresh(key: string, ttlMs: number): CacheEntry | undefined {
    if (this.entries === undefined || ttlMs <= 0) return undefined;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.isFresh(entry, ttlMs)) return entry;
    if (!this.options.staleOnError) this.entries.delete(key);
    return undefined;
  }

  /** Cached value if fresh, otherwise one shared backend call for every concurrent caller of this key. */
  async get(key: string, ttlMs: number, fetch: Fetcher, options: GetOptions = {}): Promise<CacheEntry> {
    if (!options.refresh) {
      const hit = this.fresh(key, ttlMs);
      if (hit !== undefined) return hit;
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const started = this.load(key, ttlMs, fetch, options.refresh === true);
    this.inFlight.set(key, started);
    try {
      return await started;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Stores a value fetched elsewhere (prefetch). */
  put(key: string, ttlMs: number, json: string): void {
    if (this.caches(ttlMs)) this.entries?.set(key, this.entry(json));
  }

  clear(): void {
    this.entries?.clear();
  }

  private isFresh(entry: CacheEntry, ttlMs: number): boolean {
    const age = this.now() - entry.storedAt;
    // A clock that went backwards (NTP step after a thaw) makes the age meaningless: treat as expired.
    return age >= 0 && age < ttlMs;
  }

  private entry(json: string): CacheEntry {
    return { ...prepareBody(json), storedAt: this.now() };
  }

  private async load(key: string, ttlMs: number, fetch: Fetcher, refresh: boolean): Promise<CacheEntry> {
    try {
      const entry = this.entry(await fetch());
      if (this.caches(ttlMs)) this.entries?.set(key, entry);
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

  private staleFor(key: string, error: unknown, refresh: boolean): CacheEntry | undefined {
    // refreshNow asks for the backend's answer, so it gets the backend's error too.
    if (!this.options.staleOnError || refresh || this.entries === undefined) return undefined;
    if (!isHttpFailure(error) || !error.transient) return undefined;
    return this.entries.peek(key);
  }
}
