// Measures the ways to write a batch of meter readings idempotently into PostgreSQL, each
// returning the keys it really inserted (what PgStoreWriter needs):
//   unnest   INSERT ... SELECT FROM unnest($1::text[], ...) ON CONFLICT DO NOTHING RETURNING
//   values   multi-row INSERT ... VALUES ($1, ...), (...) in chunks of 5,000 rows (11 params each)
//   json     INSERT ... SELECT FROM json_to_recordset($1) ON CONFLICT DO NOTHING RETURNING
//   copy     COPY into a temp staging table + INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING
//   raw-copy COPY straight into the table (no conflict handling: the ceiling)
//   writer   PgStoreWriter.writeBatch: all of the above that it uses, plus conflict resolution,
//            rollups (all meters on 50 transformers), meta; what the processor gets; then
//   replay   the same batches again through the writer (every row already stored)
// Each method gets a fresh schema, the same readings, partitions created beforehand, and
// commits one transaction per batch. `npm run bench -- pg-insert [--readings=100000]
// [--batch=20000] [--only=METHOD]` with GRIDOPS_POSTGRES_URL set (scripts/services/up).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPgPool, inPgTransaction, migratePg, quoteIdent } from '../src/adapters/postgres.ts';
import { PG_STORE_MIGRATIONS } from '../src/adapters/store/pg-schema.ts';
import { copyRows } from '../src/adapters/store/pg-copy.ts';
import { PgStoreWriter } from '../src/adapters/store/pg-store-writer.ts';
import type { MeterReading } from '../src/domain/readings.ts';
import type { Bench } from './harness.ts';

const COLS = `meter_id, obis, interval_start, interval_s, value, raw_value, unit, quality, customer_id,
  event_id, received_at`;
const KEYS = 'RETURNING meter_id, obis, interval_start';
type Row = [string, string, number, number, number, number | null, string, number, string, null, number];

function readings(n: number): Row[] {
  const meters = 1000;
  const t0 = Date.UTC(2026, 10, 1);
  const out: Row[] = [];
  // Interval by interval across all meters, the way a fleet reports.
  for (let i = 0; out.length < n; i++) {
    for (let m = 0; m < meters && out.length < n; m++) {
      const id = `MTR-${String(m).padStart(6, '0')}`;
      out.push([
        id,
        '1-0:1.8.0',
        t0 + i * 900_000,
        900,
        0.25 + (m % 7) * 0.125,
        null,
        'kWh',
        0,
        `C-${m}`,
        null,
        t0,
      ]);
    }
  }
  return out;
}

const col = (rows: Row[], i: number) => rows.map((r) => r[i]);

const METHODS: Record<string, (c: pg.ClientBase, rows: Row[]) => Promise<number>> = {
  async unnest(c, rows) {
    const r = await c.query(
      `INSERT INTO meter_readings (${COLS}) SELECT * FROM unnest($1::text[], $2::text[], $3::int8[],
       $4::int4[], $5::float8[], $6::float8[], $7::text[], $8::int4[], $9::text[], $10::text[], $11::int8[])
       ON CONFLICT DO NOTHING ${KEYS}`,
      [...Array(11).keys()].map((i) => col(rows, i)),
    );
    return r.rowCount ?? 0;
  },
  async values(c, rows) {
    let n = 0;
    for (let at = 0; at < rows.length; at += 5000) {
      const chunk = rows.slice(at, at + 5000);
      const tuples = chunk.map(
        (_, j) => `(${[...Array(11).keys()].map((i) => `$${j * 11 + i + 1}`).join(',')})`,
      );
      const r = await c.query(
        `INSERT INTO meter_readings (${COLS}) VALUES ${tuples.join(',')} ON CONFLICT DO NOTHING ${KEYS}`,
        chunk.flat(),
      );
      n += r.rowCount ?? 0;
    }
    return n;
  },
  async json(c, rows) {
    const objs = rows.map((r) => ({
      m: r[0],
      o: r[1],
      s: r[2],
      i: r[3],
      v: r[4],
      w: r[5],
      u: r[6],
      q: r[7],
      c: r[8],
      e: r[9],
      t: r[10],
    }));
    const r = await c.query(
      `INSERT INTO meter_readings (${COLS}) SELECT m, o, s, i, v, w, u, q, c, e, t FROM json_to_recordset($1::json)
       AS x(m text, o text, s int8, i int4, v float8, w float8, u text, q int4, c text, e text, t int8)
       ON CONFLICT DO NOTHING ${KEYS}`,
      [JSON.stringify(objs)],
    );
    return r.rowCount ?? 0;
  },
  async copy(c, rows) {
    await c.query(
      `CREATE TEMP TABLE IF NOT EXISTS reading_stage (LIKE meter_readings) ON COMMIT DELETE ROWS`,
    );
    await copyRows(c, `reading_stage (${COLS})`, rows);
    const r = await c.query(
      `INSERT INTO meter_readings SELECT * FROM reading_stage ON CONFLICT DO NOTHING ${KEYS}`,
    );
    return r.rowCount ?? 0;
  },
  async 'raw-copy'(c, rows) {
    return copyRows(c, `meter_readings (${COLS})`, rows);
  },
};

type Log = (line: string) => void;

async function measure(args: Record<string, string>, log: Log): Promise<Record<string, number>> {
  const url = process.env.GRIDOPS_POSTGRES_URL;
  if (!url) throw new Error('GRIDOPS_POSTGRES_URL unset: run scripts/services/up and source its env file');
  const total = Number(args.readings ?? 100_000);
  const batch = Number(args.batch ?? 20_000);
  const only = args.only;
  const rows = readings(total);
  const days = [...new Set(rows.map((r) => r[2] - (r[2] % 86_400_000)))];
  const result: Record<string, number> = { readings: total };
  if (!only || only === 'writer') Object.assign(result, await viaWriter(url, rows, batch, log));
  for (const [name, method] of Object.entries(METHODS)) {
    if (only && name !== only) continue;
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const pool = createPgPool({ url, schema, poolMax: 2, statementTimeoutMs: 0 });
    try {
      await migratePg(pool, PG_STORE_MIGRATIONS, schema);
      await pool.query('SELECT gridops_ensure_day_partitions($1, $2)', ['meter_readings', days]);
      const t = performance.now();
      let inserted = 0;
      for (let at = 0; at < rows.length; at += batch) {
        inserted += await inPgTransaction(pool, (c) => method(c, rows.slice(at, at + batch)));
      }
      const s = (performance.now() - t) / 1000;
      log(`${name.padEnd(9)} ${inserted} rows in ${s.toFixed(2)} s: ${Math.round(inserted / s)} rows/s`);
      result[`${name.replace('-', '_')}_per_s`] = inserted / s;
    } finally {
      await pool.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    }
  }
  if (result.writer_per_s && result.raw_copy_per_s)
    result.ratio = result.writer_per_s / result.raw_copy_per_s;
  return result;
}

async function viaWriter(url: string, rows: Row[], batch: number, log: Log): Promise<Record<string, number>> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const opts = { url, schema, poolMax: 2, statementTimeoutMs: 0, partitionPastDays: 100_000 };
  const writer = new PgStoreWriter(opts, (id) => {
    const tx = Number(id.slice(4)) % 50;
    return { transformerId: `TX-${tx}`, feederId: `FDR-${tx % 5}` };
  });
  const readings: MeterReading[] = rows.map((r) => ({
    meterId: r[0],
    obis: r[1],
    intervalStart: r[2],
    intervalSeconds: r[3],
    value: r[4],
    unit: r[6],
    quality: r[7],
    customerId: r[8],
    receivedAt: r[10],
  }));
  try {
    await writer.ready();
    // Partitions first, as for the other methods (the writer would make them on its first batch).
    await writer.writeBatch({ meterReadings: [], sensorReadings: [], unknown: [], events: [] });
    const t = performance.now();
    let inserted = 0;
    for (let at = 0; at < readings.length; at += batch) {
      const b = readings.slice(at, at + batch);
      inserted += (await writer.writeBatch({ meterReadings: b, sensorReadings: [], unknown: [], events: [] }))
        .inserted;
    }
    const s = (performance.now() - t) / 1000;
    log(`writer    ${inserted} rows in ${s.toFixed(2)} s: ${Math.round(inserted / s)} rows/s`);
    // The same batches again, as after a processor crash: every row takes the merge path.
    const t2 = performance.now();
    let unchanged = 0;
    for (let at = 0; at < readings.length; at += batch) {
      const b = readings.slice(at, at + batch);
      unchanged += (
        await writer.writeBatch({ meterReadings: b, sensorReadings: [], unknown: [], events: [] })
      ).unchanged;
    }
    const s2 = (performance.now() - t2) / 1000;
    log(`replay    ${unchanged} rows in ${s2.toFixed(2)} s: ${Math.round(unchanged / s2)} rows/s`);
    return { writer_per_s: inserted / s, replay_per_s: unchanged / s2 };
  } finally {
    await writer.close();
    const pool = createPgPool({ url });
    await pool.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    await pool.end();
  }
}

export const pgInsertBench: Bench = {
  name: 'pg-insert',
  summary:
    'ways to write readings idempotently into PostgreSQL, and the store writer, vs raw COPY (--readings=100000 --batch=20000)',
  run: measure,
};
