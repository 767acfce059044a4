// Read side of the PostgreSQL store, used by the query module: the same queries and results
// as SqliteStoreReader, on its own pool (reads never wait for the processors' writes).
import { OBIS, Quality } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import { openStorePool, type PgStoreOptions, type PoolStats, type StorePool } from './pg-store-pool.ts';
import {
  decodeCursor,
  rowToEvent,
  rowToReading,
  rowToLevelRollup,
  rowToRollup,
  statsFromMeta,
  type Row,
} from './store-rows.ts';
import {
  RESOLUTIONS,
  type LevelRollupRow,
  type RollupRow,
  type StoreReader,
  type StoreStats,
  type StoredMeterReading,
} from './store.ts';

export class PgStoreReader implements StoreReader {
  private readonly db: StorePool;

  /** Opens no connection yet; the first query (or ready()) migrates the schema if needed. */
  constructor(opts: PgStoreOptions, onPoolError?: (err: Error) => void) {
    this.db = openStorePool(opts, onPoolError);
  }

  ready(): Promise<void> {
    return this.db.ready();
  }

  /** The pool's connections, idle ones and waiting callers. */
  poolStats(): PoolStats {
    return this.db.stats();
  }

  private async all(sql: string, args: unknown[]): Promise<Row[]> {
    await this.db.ready();
    return (await this.db.pool.query<Row>(sql, args)).rows;
  }

  async readings(q: {
    meterId: string;
    obis?: string;
    from: number;
    to: number;
    limit: number;
    after?: number;
  }): Promise<StoredMeterReading[]> {
    const rows = await this.all(
      `SELECT meter_id, obis, interval_start, interval_s, value, raw_value, unit, quality FROM meter_readings
       WHERE meter_id = $1 AND obis = $2 AND interval_start >= $3 AND interval_start < $4
         AND interval_start > $5 ORDER BY interval_start LIMIT $6`,
      [q.meterId, q.obis ?? OBIS.ACTIVE_IMPORT, q.from, q.to, q.after ?? q.from - 1, q.limit],
    );
    return rows.map(rowToReading);
  }

  async rollups(q: {
    level: string;
    id: string;
    resolution: keyof typeof RESOLUTIONS;
    from: number;
    to: number;
  }): Promise<RollupRow[]> {
    const seconds = RESOLUTIONS[q.resolution];
    const rows =
      q.level === 'meter'
        ? // Meter rollups come from the readings themselves (see rollup-accumulator.ts).
          await this.all(
            `SELECT interval_start - (interval_start % $1) AS bucket, SUM(value) AS energy_kwh,
               COUNT(*) AS readings, SUM(((quality & ${Quality.ESTIMATED}) <> 0)::int)::int8 AS estimated
             FROM meter_readings WHERE meter_id = $2 AND obis = '${OBIS.ACTIVE_IMPORT}'
               AND interval_start >= $3 AND interval_start < $4
             GROUP BY 1 ORDER BY 1`,
            [seconds * 1000, q.id, q.from, q.to],
          )
        : await this.all(
            `SELECT bucket, energy_kwh, readings, estimated FROM rollups
             WHERE level = $1 AND id = $2 AND resolution = $3 AND bucket >= $4 AND bucket < $5 ORDER BY bucket`,
            [q.level, q.id, seconds, q.from, q.to],
          );
    return rows.map(rowToRollup);
  }

  async levelRollups(q: {
    level: string;
    resolution: keyof typeof RESOLUTIONS;
    from: number;
    to: number;
  }): Promise<LevelRollupRow[]> {
    const rows = await this.all(
      `SELECT id, bucket, energy_kwh, readings, estimated FROM rollups
       WHERE level = $1 AND resolution = $2 AND bucket >= $3 AND bucket < $4 ORDER BY id, bucket`,
      [q.level, RESOLUTIONS[q.resolution], q.from, q.to],
    );
    return rows.map(rowToLevelRollup);
  }

  async events(q: {
    from: number;
    to: number;
    types?: string[];
    subjectId?: string;
    limit: number;
    after?: string;
  }): Promise<GridEvent[]> {
    // Keyset pagination on (start, id): stable under concurrent inserts, unlike OFFSET.
    const args: unknown[] = [q.from, q.to];
    const where = ['start >= $1', 'start < $2'];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (q.types && q.types.length > 0) where.push(`type = ANY(${arg(q.types)}::text[])`);
    if (q.subjectId) where.push(`subject_id = ${arg(q.subjectId)}`);
    if (q.after) {
      const [start, id] = decodeCursor(q.after);
      where.push(`(start, id) > (${arg(start)}::int8, ${arg(id)}::text)`);
    }
    const rows = await this.all(
      `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY start, id LIMIT ${arg(q.limit)}`,
      args,
    );
    return rows.map(rowToEvent);
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.all(
      `SELECT key, CASE WHEN key = 'watermark' THEN MAX(value) ELSE SUM(value) END AS value
       FROM meta GROUP BY key`,
      [],
    );
    const meta = new Map(rows.map((r) => [r.key as string, r.value as number]));
    return statsFromMeta(meta);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
