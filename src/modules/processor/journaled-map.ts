// A Map that can undo every change made since begin(). The processor advances its per-series
// state while it works through a batch, before the store write; when that write fails, the bus
// delivers the same batch again, and it must meet the state it met the first time. Otherwise
// the replayed readings look like duplicates of themselves (flagged DUPLICATE, their gap
// estimates never made) and anomaly windows count them twice.
export class JournaledMap<K, V> extends Map<K, V> {
  /** Value of each key before its first change since begin() (undefined: it was absent). */
  private journal: Map<K, V | undefined> | undefined;

  begin(): void {
    this.journal = new Map();
  }

  override set(key: K, value: V): this {
    this.remember(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.remember(key);
    return super.delete(key);
  }

  override clear(): void {
    for (const key of this.keys()) this.remember(key);
    super.clear();
  }

  /** Keeps the changes made since begin(). */
  commit(): void {
    this.journal = undefined;
  }

  /** Undoes the changes made since begin(); a no-op outside begin()/commit(). */
  rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    if (!journal) return;
    for (const [key, before] of journal) {
      if (before === undefined) super.delete(key);
      else super.set(key, before);
    }
  }

  private remember(key: K): void {
    if (this.journal && !this.journal.has(key)) this.journal.set(key, super.get(key));
  }
}
