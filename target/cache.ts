/**
 * The read cache in front of the database, with the roadmap's TTLs and tag invalidation: an
 * entry carries the tags of what it shows (a pitch, the lists, trending), and a write drops
 * every entry with a tag it touched.
 */

/** TTLs from the roadmap's cacheConfig (api.pitches 300 s, api.trending 60 s, api.user.session 3600 s). */
export const CACHE_TTL_SECONDS = { pitches: 300, trending: 60, session: 3600 } as const;

interface Entry {
  value: unknown;
  expiresAt: number;
  tags: readonly string[];
}

export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  hitRate: number | null;
}

export class TtlCache {
  private readonly entries = new Map<string, Entry>();
  private hits = 0;
  private misses = 0;
  enabled = true;

  constructor(private readonly now: () => number = Date.now) {}

  get<T>(key: string): T | undefined {
    const entry = this.enabled ? this.entries.get(key) : undefined;
    if (entry && entry.expiresAt > this.now()) {
      this.hits++;
      return entry.value as T;
    }
    if (entry) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  set(key: string, value: unknown, ttlSeconds: number, tags: readonly string[] = []): void {
    if (!this.enabled) return;
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000, tags });
  }

  /** Reads through the cache: returns the cached value or computes, stores and returns it. */
  read<T>(
    key: string,
    ttlSeconds: number,
    tags: readonly string[],
    compute: () => T,
  ): { value: T; hit: boolean } {
    const cached = this.get<T>(key);
    if (cached !== undefined) return { value: cached, hit: true };
    const value = compute();
    this.set(key, value, ttlSeconds, tags);
    return { value, hit: false };
  }

  invalidate(...tags: string[]): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.tags.some((t) => tags.includes(t))) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Writes and reads back a reserved key without touching the hit/miss figures (readiness). */
  probe(): boolean {
    const token = Math.random();
    this.entries.set('__probe__', { value: token, expiresAt: this.now() + 1000, tags: [] });
    const ok = this.entries.get('__probe__')?.value === token;
    this.entries.delete('__probe__');
    return ok;
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      entries: this.entries.size,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups ? this.hits / lookups : null,
    };
  }
}
