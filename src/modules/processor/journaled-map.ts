// A Map that can undo every change made since begin(). The processor advances its per-series
// state while it works through a batch, before the store write; when that write fails, the bus
// delivers the same batch again, and it must meet the state it met the first time. Otherwise
// the replayed readings look like duplicates of themselves (flagged DUPLICATE, their gap
// estimates never made) and anomaly windows count them twice.
export class JournaledMap<K, V> extends Map<K, V> {
  /**
   * Every change since begin(), oldest first: the key and its value before the change
   * (undefined: absent). Two arrays rather than a map of first values: a push is cheaper than
   * a lookup, and this runs several times per reading.
   */
  private keysBefore: K[] | undefined;
  private valuesBefore: (V | undefined)[] = [];

  begin(): void {
    this.keysBefore = [];
    this.valuesBefore = [];
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
    this.keysBefore = undefined;
    this.valuesBefore = [];
  }

  /** Undoes the changes made since begin(); a no-op outside begin()/commit(). */
  rollback(): void {
    const keys = this.keysBefore;
    const values = this.valuesBefore;
    this.commit();
    if (!keys) return;
    // Newest first, so each key ends on the value it had before its first change.
    for (let i = keys.length - 1; i >= 0; i--) {
      const before = values[i];
      if (before === undefined) super.delete(keys[i]!);
      else super.set(keys[i]!, before);
    }
  }

  private remember(key: K): void {
    if (!this.keysBefore) return;
    this.keysBefore.push(key);
    this.valuesBefore.push(super.get(key));
  }
}
