import { describe, expect, it } from 'vitest';
import { Lru } from '../../../../extension/src/cache/lru.js';

describe('Lru', () => {
  it('evicts the least recently used entry, a read counting as a use', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.peek('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('peek does not change the order; set of an existing key replaces it and makes it recent', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.peek('a')).toBe(1);
    lru.set('c', 3); // a was eldest despite the peek
    expect(lru.peek('a')).toBeUndefined();
    lru.set('b', 20);
    lru.set('d', 4); // c is eldest now
    expect(lru.peek('c')).toBeUndefined();
    expect(lru.get('b')).toBe(20);
  });

  it('deletes, and refuses a size below one', () => {
    const lru = new Lru<string, number>(1);
    lru.set('a', 1);
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('a')).toBe(false);
    expect(lru.size).toBe(0);
    expect(() => new Lru(0)).toThrow(RangeError);
  });
});
