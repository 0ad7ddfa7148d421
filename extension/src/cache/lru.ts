/**
 * A bounded map that evicts the least recently used entry: a Map keeps insertion order, so a read
 * re-inserts its key at the end and the first key is always the eldest.
 *
 * Not the lru-cache package: loading it is part of start-up (index.cjs), and at load it reads the
 * global `performance` (which loads perf_hooks) and creates diagnostics channels: ~2 ms of CPU before
 * registration on every cold start, for features the cache does not use (its clock is not ours, see
 * value-cache.ts).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private readonly max: number;

  constructor(max: number) {
    if (!(max >= 1)) throw new RangeError(`an LRU needs room for at least one entry, not ${max}`);
    this.max = max;
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** The value, without changing the order. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}
