// In-memory LRU with per-entry TTL. A Map keeps insertion order, so re-inserting on a hit makes
// the first key the least recently used one.
//
// Read-through race: a query misses, reads the store, a batch commits (clear()), then the query
// stores what it read before the commit. Each miss remembers the generation it saw, and a set
// after a clear() that came since is dropped, so that stale answer is never served.
import type { Cache } from './cache.ts';

export class LruCache implements Cache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();
  /** Generation seen by each key's latest miss; bounded, oldest forgotten first. */
  private readonly misses = new Map<string, number>();
  private generation = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(maxEntries = 1000, now: () => number = Date.now) {
    this.maxEntries = maxEntries;
    this.now = now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const e = this.entries.get(key);
    if (!e || e.expires <= this.now()) {
      this.entries.delete(key);
      this.misses.delete(key);
      this.misses.set(key, this.generation);
      if (this.misses.size > this.maxEntries) this.misses.delete(this.misses.keys().next().value as string);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const seen = this.misses.get(key);
    this.misses.delete(key);
    if (ttlMs <= 0 || (seen !== undefined && seen !== this.generation)) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  async clear(): Promise<void> {
    this.generation++;
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.misses.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
