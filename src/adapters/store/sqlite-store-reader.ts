// Read side of the embedded store, used by the query module. Opens its own connection: with
// WAL, reads never wait for the processor's writes.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { OBIS, Quality } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import { openStoreDb, type SqliteStoreOptions } from './sqlite-store-writer.ts';
import {
  decodeCursor,
  rowToEvent,
  rowToLevelRollup,
  rowToReading,
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

export class SqliteStoreReader implements StoreReader {
  private readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;

  constructor(opts: SqliteStoreOptions) {
    this.db = openStoreDb(opts);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      readings:
        p(`SELECT meter_id, obis, interval_start, interval_s, value, raw_value, unit, quality FROM meter_readings
        WHERE meter_id = ? AND obis = ? AND interval_start >= ? AND interval_start < ? AND interval_start > ?
        ORDER BY interval_start LIMIT ?`),
      rollups: p(`SELECT bucket, energy_kwh, readings, estimated FROM rollups
        WHERE level = ? AND id = ? AND resolution = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`),
      levelRollups: p(`SELECT id, bucket, energy_kwh, readings, estimated FROM rollups
        WHERE level = ? AND resolution = ? AND bucket >= ? AND bucket < ? ORDER BY id, bucket`),
      // Meter rollups come from the readings themselves (see rollup-accumulator.ts).
      meterBuckets: p(`SELECT interval_start - (interval_start % ?) AS bucket, SUM(value) AS energy_kwh,
        COUNT(*) AS readings, SUM((quality & ${Quality.ESTIMATED}) != 0) AS estimated FROM meter_readings
        WHERE meter_id = ? AND obis = '${OBIS.ACTIVE_IMPORT}' AND interval_start >= ? AND interval_start < ?
        GROUP BY bucket ORDER BY bucket`),
      meta: p('SELECT key, value FROM meta'),
    };
  }

  async readings(q: {
    meterId: string;
    obis?: string;
    from: number;
    to: number;
    limit: number;
    after?: number;
  }): Promise<StoredMeterReading[]> {
    const rows = this.s.readings!.all(
      q.meterId,
      q.obis ?? OBIS.ACTIVE_IMPORT,
      q.from,
      q.to,
      q.after ?? -Infinity,
      q.limit,
    ) as unknown as Row[];
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
    const rows = (q.level === 'meter'
      ? this.s.meterBuckets!.all(seconds * 1000, q.id, q.from, q.to)
      : this.s.rollups!.all(q.level, q.id, seconds, q.from, q.to)) as unknown as Row[];
    return rows.map(rowToRollup);
  }

  async levelRollups(q: {
    level: string;
    resolution: keyof typeof RESOLUTIONS;
    from: number;
    to: number;
  }): Promise<LevelRollupRow[]> {
    const rows = this.s.levelRollups!.all(
      q.level,
      RESOLUTIONS[q.resolution],
      q.from,
      q.to,
    ) as unknown as Row[];
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
    const where = ['start >= ?', 'start < ?'];
    const args: (string | number)[] = [q.from, q.to];
    if (q.types && q.types.length > 0) {
      where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
      args.push(...q.types);
    }
    if (q.subjectId) {
      where.push('subject_id = ?');
      args.push(q.subjectId);
    }
    if (q.after) {
      const [start, id] = decodeCursor(q.after);
      where.push('(start > ? OR (start = ? AND id > ?))');
      args.push(start, start, id);
    }
    const sql = `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY start, id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit) as unknown as Row[];
    return rows.map(rowToEvent);
  }

  async stats(): Promise<StoreStats> {
    const meta = new Map(
      (this.s.meta!.all() as unknown as { key: string; value: number }[]).map((r) => [r.key, r.value]),
    );
    return statsFromMeta(meta);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
