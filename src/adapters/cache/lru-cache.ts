// In-memory LRU with per-entry TTL. A Map keeps insertion order, so re-inserting on a hit makes
// the first key the least recently used one.
import type { Cache } from './cache.ts';

export class LruCache implements Cache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(maxEntries = 1000, now: () => number = Date.now) {
    this.maxEntries = maxEntries;
    this.now = now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.entries.set(key, e);
    return e.value as T;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
