// Creates the day partitions a batch needs before its transaction starts, in a statement of
// their own: attaching one locks the DEFAULT partition, which must not be held across a write
// transaction. Days already seen by this process cost nothing; the server-side function is
// idempotent and serialised, so two processors asking for the same day is harmless.
import type pg from 'pg';
import { MS, bucketStart } from '../../domain/readings.ts';
import { quoteIdent } from '../postgres.ts';

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

  /** Forgets the days before `cutoff` (their partitions were dropped). */
  forget(cutoff: number): void {
    for (const seen of this.known.values()) for (const d of seen) if (d < cutoff) seen.delete(d);
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

type ReadingTable = 'meter_readings' | 'sensor_readings';

const timeColumn = (table: ReadingTable) => (table === 'meter_readings' ? 'interval_start' : 'ts');

/** The day partitions of `table` that hold only readings timed before `cutoff`. */
async function daysBefore(pool: pg.Pool, table: ReadingTable, cutoff: number): Promise<string[]> {
  const { rows: parts } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass($1)`,
    [table],
  );
  const dayOf = new RegExp(`^${table}_d(\\d{4})(\\d{2})(\\d{2})$`);
  return parts
    .map(({ name }) => ({ name, m: dayOf.exec(name) }))
    .filter(({ m }) => m && Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + MS.day <= cutoff)
    .map(({ name }) => name);
}

/** What dropDaysBefore would remove: its partitions, and every row before the cutoff. */
export async function countDaysBefore(
  pool: pg.Pool,
  table: ReadingTable,
  cutoff: number,
): Promise<{ days: number; rows: number }> {
  const names = await daysBefore(pool, table, cutoff);
  let rows = 0;
  for (const name of names) {
    const { rows: n } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(name)}`);
    rows += Number(n[0]!.n);
  }
  const { rows: rest } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table}_default WHERE ${timeColumn(table)} < $1`,
    [cutoff],
  );
  return { days: names.length, rows: rows + Number(rest[0]!.n) };
}

/**
 * Retention: drops the day partitions of `table` that end at or before `cutoff`, and deletes
 * the rows of its DEFAULT partition timed before it. Dropping a partition takes an ACCESS
 * EXCLUSIVE lock on the parent (DETACH ... CONCURRENTLY is refused where a DEFAULT partition
 * exists), so each drop waits at most `lockTimeoutMs` for the transactions in flight, then
 * gives up until the next run rather than queue every reader and writer behind it. Serialised
 * with gridops_ensure_day_partitions by the same advisory lock key.
 */
export async function dropDaysBefore(
  pool: pg.Pool,
  table: ReadingTable,
  cutoff: number,
  lockTimeoutMs = 2000,
): Promise<{ days: number; rows: number }> {
  let days = 0;
  for (const name of await daysBefore(pool, table, cutoff)) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
      await client.query(
        `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.' || $1 || ':partitions'))`,
        [table],
      );
      await client.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      await client.query('COMMIT');
      days++;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  const deleted = await pool.query(`DELETE FROM ${table}_default WHERE ${timeColumn(table)} < $1`, [cutoff]);
  return { days, rows: deleted.rowCount ?? 0 };
}
