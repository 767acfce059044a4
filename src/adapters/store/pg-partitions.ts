// Creates the day partitions a batch needs before its transaction starts, in a statement of
// their own: attaching one locks the DEFAULT partition, which must not be held across a write
// transaction. Days already seen by this process cost nothing; the server-side function is
// idempotent and serialised, so two processors asking for the same day is harmless.
import type pg from 'pg';
import { MS, bucketStart } from '../../domain/readings.ts';

export class DayPartitions {
  private readonly known = new Map<string, Set<number>>();
  private readonly pastDays: number;
  private readonly futureDays: number;
  private readonly now: () => number;

  /**
   * Only days within [today - pastDays, today + futureDays] get a partition: a reading stamped
   * in 1970 or 2099 (a broken meter clock) goes to the DEFAULT partition instead of creating one.
   */
  constructor(pastDays = 366, futureDays = 2, now: () => number = Date.now) {
    this.pastDays = pastDays;
    this.futureDays = futureDays;
    this.now = now;
  }

  async ensure(pool: pg.Pool, table: string, times: Iterable<number>): Promise<void> {
    const today = bucketStart(this.now(), MS.day);
    const lo = today - this.pastDays * MS.day;
    const hi = today + this.futureDays * MS.day;
    let seen = this.known.get(table);
    if (!seen) this.known.set(table, (seen = new Set()));
    const missing = new Set<number>();
    // Yesterday to the last future day are made ahead of their data, so live readings never
    // wait for a partition to be created at midnight.
    for (let day = today - MS.day; day <= hi; day += MS.day) if (!seen.has(day)) missing.add(day);
    for (const t of times) {
      const day = bucketStart(t, MS.day);
      if (day >= lo && day <= hi && !seen.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const days = [...missing].sort((a, b) => a - b);
    await pool.query('SELECT gridops_ensure_day_partitions($1, $2::int8[])', [table, days]);
    // Days the function could not give a partition (rows already in DEFAULT) stay there: not retried.
    for (const d of days) seen.add(d);
  }
}
