import { describe, expect, it } from 'vitest';
import { TtlCache } from '../target/cache.ts';

describe('TtlCache', () => {
  it('expires entries after their TTL', () => {
    let now = 0;
    const cache = new TtlCache(() => now);
    cache.set('a', 1, 60);
    now = 59_999;
    expect(cache.get('a')).toBe(1);
    now = 60_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, hitRate: 0.5, entries: 0 });
  });

  it('invalidates by tag and keeps the rest', () => {
    const cache = new TtlCache();
    cache.set('pitch:1', 'one', 300, ['pitch:1']);
    cache.set('list', 'all', 300, ['pitches']);
    cache.set('trending', 'top', 60, ['trending']);
    expect(cache.invalidate('pitch:1', 'trending')).toBe(2);
    expect(cache.get('pitch:1')).toBeUndefined();
    expect(cache.get('list')).toBe('all');
  });

  it('reads through: computes once, then hits', () => {
    const cache = new TtlCache();
    let computed = 0;
    const compute = () => ++computed;
    expect(cache.read('k', 10, [], compute)).toEqual({ value: 1, hit: false });
    expect(cache.read('k', 10, [], compute)).toEqual({ value: 1, hit: true });
    cache.enabled = false;
    expect(cache.read('k', 10, [], compute)).toEqual({ value: 2, hit: false });
  });

  it('probes without changing the hit rate', () => {
    const cache = new TtlCache();
    expect(cache.probe()).toBe(true);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, hitRate: null, entries: 0 });
  });
});
