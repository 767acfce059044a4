// The bulk, idempotent write of a batch of meter readings into PostgreSQL, inside the caller's
// transaction: COPY straight into the table when every key is new (the steady state), else
// COPY into a session-temporary staging table + INSERT ... SELECT ... ON CONFLICT DO NOTHING
// RETURNING the keys really inserted; the rest is resolved exactly as SqliteStoreWriter does
// row by row (replay, late real reading over an estimate, conflict).
//
// Measured on 100k readings (1,000 meters x 100 intervals, batches of 20,000, one transaction
// each, PostgreSQL 15 on loopback, 2 cores shared with other jobs: load 5-20, hence the
// spread), `npm run bench -- pg-insert` (bench/pg-insert.ts); rows/s, median (range) of 5-10 runs:
//   COPY -> temp stage -> INSERT..SELECT ON CONFLICT RETURNING   44k (29-51k)   the merge path
//   INSERT..SELECT FROM json_to_recordset($1) ON CONFLICT        35k (24-53k)
//   INSERT..SELECT FROM unnest($1::text[], ...) ON CONFLICT      32k (20-52k)
//   multi-row INSERT..VALUES, 5,000 rows a statement             15k (15-31k)
//   raw COPY into the table, no conflict handling                96k (62-128k)  the ceiling
//   PgStoreWriter.writeBatch, all keys new (COPY fast path,
//     + rollups of 50 transformers, meta)                        48k (31-73k); 25-30k with
//                                                                the merge path for every batch
//   PgStoreWriter.writeBatch, every key already stored (replay)  30k (22-37k)
// COPY is done without pg-copy-streams (see pg-copy.ts).
import type pg from 'pg';
import { copyEncoded, copyText } from './pg-copy.ts';
import type { MeterReading } from '../../domain/readings.ts';
import type { RollupAccumulator } from './rollup-accumulator.ts';
import type { StoreWriteResult } from './store.ts';
import { isEstimated, type StoredValue } from './duplicate-keys.ts';
import {
  addDeltas,
  byReadingKey,
  firstCopies,
  groupByMeter,
  keyOf,
  skippedReadings,
  sortGroups,
  splitLate,
  type SkippedKey,
} from './pg-merge-steps.ts';

export const READING_COLS =
  'meter_id, obis, interval_start, interval_s, value, raw_value, unit, quality, customer_id, event_id, received_at';

/** A reading as a COPY line in READING_COLS order (what cellsLine would make of its cells). */
export function readingLine(r: MeterReading): string {
  return `${copyText(r.meterId)}\t${copyText(r.obis)}\t${r.intervalStart}\t${r.intervalSeconds}\t${r.value}\t${copyText(r.rawValue)}\t${copyText(r.unit)}\t${r.quality}\t${copyText(r.customerId)}\t${copyText(r.eventId)}\t${r.receivedAt}\n`;
}

const UNIQUE_VIOLATION = '23505';
/**
 * COPYs `rows` into the temporary staging twin of `table` (created once per session; emptied
 * at commit), then inserts what is new. With `skippedKeys` (the key columns), resolves to the
 * keys the INSERT skipped, usually few: returning the inserted ones instead cost a parsed row
 * per reading. Without, to the INSERT's result (rowCount).
 */
export async function stageAndInsert<R extends pg.QueryResultRow, T>(
  client: pg.ClientBase,
  table: string,
  cols: string,
  rows: readonly T[],
  line: (row: T) => string,
  skippedKeys?: string,
): Promise<pg.QueryResult<R>> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${table}_stage (LIKE ${table}) ON COMMIT DELETE ROWS`);
  // Emptied at commit, but a write may stage twice in one transaction (fresh, then late rows).
  await client.query(`DELETE FROM ${table}_stage`);
  await copyEncoded(client, `${table}_stage (${cols})`, rows, line);
  // Heap order is COPY order, so rows are inserted (and key locks taken) in the caller's order.
  const insert = `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM ${table}_stage ON CONFLICT DO NOTHING`;
  if (!skippedKeys) return client.query<R>(insert);
  // The staged rows have distinct keys, so EXCEPT ALL leaves exactly the ones not inserted.
  return client.query<R>(
    `WITH ins AS (${insert} RETURNING ${skippedKeys})
     SELECT ${skippedKeys} FROM ${table}_stage EXCEPT ALL SELECT ${skippedKeys} FROM ins`,
  );
}

/**
 * Inserts the rows (no duplicate keys among them) whose key is new. Fast path: COPY straight
 * into the table under a savepoint; in steady state every row is new and that is the whole
 * cost. A key already stored (a replay, a late reading, a conflict) fails it with
 * unique_violation, and the batch takes the merge path (stageAndInsert). Resolves to
 * 'all' or to what the merge path resolved to.
 */
export async function insertNew<R extends pg.QueryResultRow, T>(
  client: pg.ClientBase,
  table: string,
  cols: string,
  rows: readonly T[],
  line: (row: T) => string,
  skippedKeys?: string,
): Promise<'all' | pg.QueryResult<R>> {
  await client.query('SAVEPOINT copy_new');
  try {
    await copyEncoded(client, `${table} (${cols})`, rows, line);
    await client.query('RELEASE SAVEPOINT copy_new');
    return 'all';
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await client.query('ROLLBACK TO SAVEPOINT copy_new');
  }
  return stageAndInsert<R, T>(client, table, cols, rows, line, skippedKeys);
}

const SKIPPED_KEY = 'meter_id, obis, interval_start';

/**
 * Writes `readings` (batch order) and feeds every active-import reading's rollup delta to `acc`,
 * in batch order, exactly as the SQLite writer would; counts go into `result`.
 */
export async function mergeMeterReadings(
  client: pg.ClientBase,
  readings: MeterReading[],
  acc: RollupAccumulator,
  result: StoreWriteResult,
  late?: ReadonlySet<MeterReading>,
): Promise<void> {
  if (readings.length === 0) return;
  // Only the first of in-batch duplicates is offered to the INSERT; the others are resolved
  // against it below, as SQLite resolves them against the row it has just inserted. The sort
  // is stable, so the first of a run of equal keys is the first in batch order.
  const byMeter = groupByMeter(readings);
  const sorted = sortGroups(byMeter);
  // Readings resolved key by key below: every copy of a key the batch holds more than once,
  // and (once known) every offered reading the INSERT skipped. Usually none.
  const { offered, tracked } = firstCopies(sorted);
  // Late readings (see StoreBatch.late) go straight to the merge path: one of them already
  // stored would fail the COPY of all the others, and the whole batch would be merged instead.
  const { fresh, lateOnes } = splitLate(offered, late);
  const skippedRows: SkippedKey[] = [];
  if (fresh.length > 0) {
    const ins = await insertNew<SkippedKey, MeterReading>(
      client,
      'meter_readings',
      READING_COLS,
      fresh,
      readingLine,
      SKIPPED_KEY,
    );
    if (ins !== 'all') skippedRows.push(...ins.rows);
  }
  if (lateOnes.length > 0)
    skippedRows.push(
      ...(
        await stageAndInsert<SkippedKey, MeterReading>(
          client,
          'meter_readings',
          READING_COLS,
          lateOnes,
          readingLine,
          SKIPPED_KEY,
        )
      ).rows,
    );
  const skipped = skippedReadings(skippedRows, byMeter, tracked);
  // What is stored now per key resolved below: rows found, rows inserted here.
  const stored = skipped.size > 0 ? await existing([...skipped]) : new Map<string, StoredValue>();
  const replaced = addDeltas(readings, { tracked, skipped, stored }, acc, result);
  if (replaced.size > 0) await replace(client, [...replaced.values()].sort(byReadingKey));

  async function existing(keys: MeterReading[]): Promise<Map<string, StoredValue>> {
    const map = new Map<string, StoredValue>();
    const found = await fetchStored(client, keys, false);
    for (const [k, s] of found) map.set(k, s);
    // Only an estimate can still change (a real reading is final): lock those rows, in key
    // order, and re-read them, so a concurrent writer replacing the same estimate cannot make
    // our rollup delta wrong.
    const racy = keys.filter((r) => {
      const s = map.get(keyOf(r.meterId, r.obis, r.intervalStart));
      return s !== undefined && isEstimated(s.quality);
    });
    if (racy.length > 0) for (const [k, s] of await fetchStored(client, racy, true)) map.set(k, s);
    return map;
  }
}

/**
 * The stored rows of keys ($1 meter ids, $2 channels, $3 interval starts) within [$4, $5],
 * locked with `lock` (see fetchStored). Exported for its plan test.
 */
export function storedLookupSql(lock: boolean): string {
  return `SELECT m.meter_id, m.obis, m.interval_start, m.value, m.quality
     FROM unnest($1::text[], $2::text[], $3::int8[]) AS k(meter_id, obis, interval_start)
     CROSS JOIN LATERAL (
       SELECT r.meter_id, r.obis, r.interval_start, r.value, r.quality FROM meter_readings r
       WHERE r.meter_id = k.meter_id AND r.obis = k.obis AND r.interval_start = k.interval_start
         AND r.interval_start BETWEEN $4 AND $5
       ${lock ? 'FOR UPDATE' : 'OFFSET 0'}) m`;
}

async function fetchStored(
  client: pg.ClientBase,
  keys: MeterReading[],
  lock: boolean,
): Promise<Map<string, StoredValue>> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of keys) {
    lo = Math.min(lo, r.intervalStart);
    hi = Math.max(hi, r.intervalStart);
  }
  // One primary-key lookup per key (a LATERAL subquery the planner cannot flatten: OFFSET 0,
  // or FOR UPDATE). As a plain join, the planner judged a freshly loaded day partition by its
  // missing statistics (648 rows estimated for 300,000) and chose to scan and sort the whole
  // partition: 0.3-0.4 s for 5,000 keys there, and 20 s, then statement timeouts, in a
  // benchmark run where a replay after a rebalance sent a batch down this path. The lookups
  // take 32-41 ms for 5,000 keys. The range lets run-time pruning skip other partitions.
  // Locks are taken in the order of the keys, sorted here, so two writers cannot deadlock.
  if (lock) keys = [...keys].sort(byReadingKey);
  const { rows } = await client.query<{
    meter_id: string;
    obis: string;
    interval_start: number;
    value: number;
    quality: number;
  }>(storedLookupSql(lock), [
    keys.map((r) => r.meterId),
    keys.map((r) => r.obis),
    keys.map((r) => r.intervalStart),
    lo,
    hi,
  ]);
  return new Map(rows.map((x) => [keyOf(x.meter_id, x.obis, x.interval_start), x]));
}

async function replace(client: pg.ClientBase, rows: MeterReading[]): Promise<void> {
  const col = <T>(f: (r: MeterReading) => T) => rows.map(f);
  await client.query(
    `UPDATE meter_readings m SET value = u.value, raw_value = u.raw_value, quality = u.quality,
       interval_s = u.interval_s, event_id = u.event_id, received_at = u.received_at
     FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int4[], $7::int4[],
       $8::text[], $9::int8[])
       AS u(meter_id, obis, interval_start, value, raw_value, quality, interval_s, event_id, received_at)
     WHERE m.meter_id = u.meter_id AND m.obis = u.obis AND m.interval_start = u.interval_start`,
    [
      col((r) => r.meterId),
      col((r) => r.obis),
      col((r) => r.intervalStart),
      col((r) => r.value),
      col((r) => r.rawValue ?? null),
      col((r) => r.quality),
      col((r) => r.intervalSeconds),
      col((r) => r.eventId ?? null),
      col((r) => r.receivedAt),
    ],
  );
}
