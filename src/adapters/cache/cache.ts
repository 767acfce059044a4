// The cache port (in-memory LRU embedded, Redis at scale). Values are JSON-serialisable answers.
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Drops every entry: called when committed data changes what answers would say. */
  clear(): Promise<void>;
  close(): Promise<void>;
}
