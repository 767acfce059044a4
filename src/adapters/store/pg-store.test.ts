// PgStoreWriter/PgStoreReader on a real PostgreSQL (GRIDOPS_POSTGRES_URL): the store contract,
// the same results as SQLite for the same batches, day partitions and migrations.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStoreWriter } from './pg-store-writer.ts';
import { PgStoreReader } from './pg-store-reader.ts';
import { PG_SKIP, PG_URL, TcpProxy, privateSchema } from './pg-test-env.ts';
import { storeContract } from './store-contract.ts';
import { T0, batch, locate, reading } from './store-fixtures.ts';
import { SqliteStoreWriter } from './sqlite-store-writer.ts';
import { SqliteStoreReader } from './sqlite-store-reader.ts';
import { createPgPool, migratePg } from '../postgres.ts';
import { PG_STORE_MIGRATIONS } from './pg-schema.ts';
import { MS, OBIS, Quality, bucketStart } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import type { StoreBatch, StoreReader, StoreWriter } from './store.ts';

storeContract(
  'postgres',
  async (loc) => {
    const s = privateSchema();
    const writer = new PgStoreWriter(s.opts, loc);
    const reader = new PgStoreReader(s.opts);
    return {
      writer,
      reader,
      async cleanup() {
        await writer.close();
        await reader.close();
        await s.drop();
      },
    };
  },
  { skip: PG_SKIP },
);

/** A seeded PRNG (mulberry32): the same batches on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBatches(n: number): StoreBatch[] {
  const rand = prng(42);
  const pick = (k: number) => Math.floor(rand() * k);
  const out: StoreBatch[] = [];
  for (let b = 0; b < n; b++) {
    const meterReadings = Array.from({ length: 40 + pick(40) }, () => ({
      ...reading(`MTR-${1 + pick(6)}`, pick(150), pick(20) / 4, rand() < 0.2 ? Quality.ESTIMATED : 0),
      ...(rand() < 0.1 ? { obis: OBIS.ACTIVE_EXPORT } : {}),
    }));
    const events: GridEvent[] = Array.from({ length: pick(4) }, () => {
      const start = T0 + pick(20) * MS.hour;
      return {
        id: `outage:TX-${pick(3)}:${start}`,
        type: 'outage',
        subjectKind: 'transformer',
        subjectId: 'TX-1',
        start,
        severity: 'critical',
        detail: 'x',
      };
    });
    out.push({
      meterReadings,
      sensorReadings: [
        {
          sensorId: `S-${pick(3)}`,
          sensorType: 'voltage',
          ts: T0 + pick(50) * 1000,
          value: 230,
          unit: 'V',
          receivedAt: T0,
        },
      ],
      unknown: rand() < 0.3 ? [{ kind: 'meter', ...reading('ZZZ-1', pick(10), 1) }] : [],
      events,
      watermark: T0 + pick(1000) * 1000,
      // The late hint, right or wrong at random: the results must not depend on it.
      late: new Set(meterReadings.filter(() => rand() < 0.3)),
    });
  }
  return out;
}

async function snapshot(reader: StoreReader) {
  const rollups = [];
  for (const [level, id] of [
    ['transformer', 'TX-1'],
    ['transformer', 'TX-2'],
    ['feeder', 'FDR-1'],
    ['meter', 'MTR-1'],
    ['meter', 'MTR-5'],
  ] as const) {
    for (const resolution of ['15m', '1h', '1d'] as const) {
      rollups.push(await reader.rollups({ level, id, resolution, from: T0, to: T0 + 3 * MS.day }));
    }
  }
  const readings = await reader.readings({ meterId: 'MTR-2', from: T0, to: T0 + 3 * MS.day, limit: 1000 });
  const events = await reader.events({ from: T0, to: T0 + MS.day, limit: 1000 });
  return { rollups, readings, events, stats: await reader.stats() };
}

describe('PgStoreWriter', { skip: PG_SKIP }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  function pgStore(extra = {}) {
    const s = privateSchema(extra);
    const writer = new PgStoreWriter(s.opts, locate);
    const reader = new PgStoreReader(s.opts);
    cleanups.push(
      () => s.drop(),
      () => reader.close(),
      () => writer.close(),
    );
    return { writer, reader, schema: s.opts.schema! };
  }

  test('gives the same results as the SQLite writer for the same batches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridops-store-'));
    const sqlite = { path: join(dir, 'store.db'), synchronous: 'NORMAL' as const };
    const stores: [StoreWriter, StoreReader][] = [
      [new SqliteStoreWriter(sqlite, locate), new SqliteStoreReader(sqlite)],
    ];
    const pgs = pgStore();
    stores.push([pgs.writer, pgs.reader]);
    const batches = randomBatches(25);
    // Each batch once, then the whole sequence again (a replay after a crash).
    for (const b of [...batches, ...batches]) {
      const [lite, real] = await Promise.all(stores.map(([w]) => w.writeBatch(b)));
      assert.deepEqual(real, lite);
    }
    const [a, b] = await Promise.all(stores.map(([, r]) => snapshot(r)));
    assert.ok(b!.readings.length > 10 && b!.events.length > 5 && b!.rollups.flat().length > 50);
    assert.deepEqual(b, a);
    assert.deepEqual(
      await pgs.writer.recentReadings([{ meterId: 'MTR-3', obis: OBIS.ACTIVE_IMPORT }], 5),
      await stores[0]![0].recentReadings([{ meterId: 'MTR-3', obis: OBIS.ACTIVE_IMPORT }], 5),
    );
    for (const [w, r] of stores.slice(0, 1)) await Promise.all([w.close(), r.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('creates day partitions on demand; far-off days go to the default partition', async () => {
    const { writer, reader, schema } = pgStore();
    const today = bucketStart(Date.now(), MS.day);
    const at = (t: number, v: number) => ({ ...reading('MTR-1', 0, v), intervalStart: t });
    const far = [Date.UTC(1999, 0, 1), today + 10 * MS.day, Date.UTC(2099, 0, 1)];
    const rows = [
      at(today, 1),
      at(today + MS.day - 900_000, 2),
      at(today + MS.day, 3),
      ...far.map((t) => at(t, 4)),
    ];
    // Two writers asking for the same new days at once: both succeed.
    const other = new PgStoreWriter({ ...privateSchema().opts, schema }, locate);
    const [r1, r2] = await Promise.all([
      writer.writeBatch({ meterReadings: rows, sensorReadings: [], unknown: [], events: [] }),
      other.writeBatch({ meterReadings: rows, sensorReadings: [], unknown: [], events: [] }),
    ]);
    await other.close();
    assert.equal(r1.inserted + r2.inserted, 6);
    assert.equal(r1.unchanged + r2.unchanged, 6);
    const pool = createPgPool({ url: privateSchema().opts.url, schema });
    try {
      const { rows: parts } = await pool.query<{ part: string; n: number }>(
        `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM meter_readings GROUP BY 1 ORDER BY 1`,
      );
      const day = (t: number) =>
        `meter_readings_d${new Date(t).toISOString().slice(0, 10).replace(/-/g, '')}`;
      assert.deepEqual(
        parts,
        [
          { part: day(today), n: 2 },
          { part: day(today + MS.day), n: 1 },
          { part: 'meter_readings_default', n: 3 },
        ].sort((a, b) => (a.part < b.part ? -1 : 1)),
      );
      // A day whose rows already sit in the default partition cannot get its own: no error, they stay.
      const { rows: made } = await pool.query<{ ok: number[] }>(
        "SELECT gridops_ensure_day_partitions('meter_readings', $1::int8[]) AS ok",
        [[today + 10 * MS.day, today + 20 * MS.day]],
      );
      assert.deepEqual(made[0]!.ok, [today + 20 * MS.day]);
    } finally {
      await pool.end();
    }
    for (const t of far) {
      const got = await reader.readings({ meterId: 'MTR-1', from: t, to: t + 1, limit: 5 });
      assert.deepEqual(
        got.map((r) => r.value),
        [4],
      );
    }
  });

  test('recent readings join the last days and older ones, oldest first', async () => {
    const { writer } = pgStore();
    const today = bucketStart(Date.now(), MS.day);
    const at = (t: number, v: number) => ({ ...reading('MTR-7', 0, v), intervalStart: t });
    const old = [40, 30, 20, 10].map((d, i) => at(today - d * MS.day, i + 1));
    const recent = [0, 1, 2].map((q) => at(today + q * 900_000, 10 + q));
    await writer.writeBatch(batch([...recent, ...old]));
    const series = (meterId: string) => ({ meterId, obis: OBIS.ACTIVE_IMPORT });
    const [got, none] = await writer.recentReadings([series('MTR-7'), series('MTR-8')], 5);
    assert.deepEqual(
      got!.map((r) => r.value),
      [3, 4, 10, 11, 12],
    );
    assert.deepEqual(none, []);
    assert.deepEqual(
      (await writer.recentReadings([series('MTR-7')], 2))[0]!.map((r) => r.value),
      [11, 12],
    );
  });

  test('migrations run once, even when two processes start together', async () => {
    const s = privateSchema();
    cleanups.push(() => s.drop());
    const pools = [createPgPool(s.opts), createPgPool(s.opts)];
    try {
      const results = await Promise.all(pools.map((p) => migratePg(p, PG_STORE_MIGRATIONS, s.opts.schema)));
      const all = PG_STORE_MIGRATIONS.map((_, i) => i + 1);
      assert.deepEqual(results.map((r) => r.applied).sort(), [[], all]);
      assert.deepEqual(
        results[0]!.versions.map((v) => v.version),
        all,
      );
      const again = await migratePg(pools[0]!, PG_STORE_MIGRATIONS, s.opts.schema);
      assert.deepEqual(again.applied, []);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test('the server unreachable at start and later: writes fail (password never shown), then resume', async () => {
    const s = privateSchema({ connectionTimeoutMs: 1000 });
    cleanups.push(() => s.drop());
    const proxy = new TcpProxy(new URL(PG_URL));
    const port = await proxy.reservePort();
    const url = new URL(PG_URL);
    url.port = String(port);
    const errors: Error[] = [];
    const writer = new PgStoreWriter({ ...s.opts, url: url.toString() }, locate, (err) => errors.push(err));
    cleanups.push(() => writer.close());
    const password = decodeURIComponent(url.password);
    const write = (slot: number) => writer.writeBatch(batch([reading('MTR-1', slot, 1)]));
    const refused = (err: Error) => !password || !err.message.includes(password);
    await assert.rejects(write(0), refused); // nothing listens yet: start-up migration fails
    await proxy.start();
    assert.equal((await write(0)).inserted, 1); // ready() retried: migrated, written
    assert.deepEqual(writer.poolStats(), { total: 1, idle: 1, waiting: 0 });
    proxy.cutConnections(); // the server restarts: idle pooled connections die
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(errors.length >= 1, 'dropped idle connections are reported to onPoolError');
    assert.equal((await write(1)).inserted, 1);
    await proxy.stop(); // the server is down
    await assert.rejects(write(2), refused);
    await proxy.start();
    assert.equal((await write(2)).inserted, 1);
    assert.deepEqual((await write(2)).unchanged, 1);
    await proxy.stop();
  });
});
