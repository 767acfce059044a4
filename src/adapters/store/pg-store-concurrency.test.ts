// Two PgStoreWriters (two pools, as two processor processes) writing at once into one schema:
// different meters on shared transformers and feeders, replays, and a phase where both write
// the same keys (a partition handed over mid-batch). Rollups must equal a recomputation from
// the stored readings, every reading must be counted once, and no transaction may deadlock.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgStoreWriter } from './pg-store-writer.ts';
import { PgStoreReader } from './pg-store-reader.ts';
import { PG_SKIP, privateSchema } from './pg-test-env.ts';
import { T0, assertRollupsMatchReadings, batch, reading } from './store-fixtures.ts';
import { MS, Quality, type MeterReading } from '../../domain/readings.ts';
import type { MeterLocator, StoreWriteResult } from './store.ts';

const METERS = Array.from({ length: 40 }, (_, i) => `MTR-${i}`);
const locate: MeterLocator = (id) => {
  const i = Number(id.slice(4));
  return { transformerId: `TX-${i % 4}`, feederId: `FDR-${i % 4 < 2 ? 1 : 2}` };
};

/** Batches of one writer's meters: 4 quarter-hours each, some estimates, every 4th a replay. */
function workload(owned: string[], seed: number): MeterReading[][] {
  const out: MeterReading[][] = [];
  for (let k = 0; k < 24; k++) {
    if (k % 4 === 3) {
      out.push(out[k - 2]!);
      continue;
    }
    out.push(
      owned.flatMap((m, j) =>
        [0, 1, 2, 3].map((q) => {
          const slot = k * 4 + q;
          const est = (j + slot + seed) % 9 === 0;
          return reading(m, slot, ((j + slot) % 11) / 4, est ? Quality.ESTIMATED : 0);
        }),
      ),
    );
  }
  return out;
}

describe('PgStoreWriter under concurrency', { skip: PG_SKIP }, () => {
  const s = privateSchema();
  const a = new PgStoreWriter(s.opts, locate);
  const b = new PgStoreWriter(s.opts, locate);
  const reader = new PgStoreReader(s.opts);
  after(async () => {
    await Promise.all([a.close(), b.close(), reader.close()]);
    await s.drop();
  });

  test('two writers on shared transformers: rollups equal recomputation, each reading counted once', async () => {
    await Promise.all([a.ready(), b.ready()]);
    const results: StoreWriteResult[] = [];
    const run = async (w: PgStoreWriter, batches: MeterReading[][]) => {
      for (const rows of batches) results.push(await w.writeBatch(batch(rows)));
    };
    // Meters 0-3 to one writer, 4-7 to the other, ...: both write to every transformer.
    const mine = (k: number) => METERS.filter((_, i) => Math.floor(i / 4) % 2 === k);
    await Promise.all([run(a, workload(mine(0), 1)), run(b, workload(mine(1), 2))]);

    // Hand-over: both write the same keys at once, estimates from one and real readings (and a
    // conflicting value) from the other, in opposite orders.
    const slots = [200, 201, 202, 203];
    const est = METERS.flatMap((m) => slots.map((sl) => reading(m, sl, 1, Quality.ESTIMATED)));
    const real = METERS.flatMap((m) => slots.map((sl) => reading(m, sl, 2.5)));
    const other = METERS.flatMap((m) => slots.map((sl) => reading(m, sl, 3)));
    await Promise.all([
      run(a, [est, real, est.slice(40), other]),
      run(b, [real.slice().reverse(), est.slice().reverse(), real]),
    ]);

    const stats = await reader.stats();
    const inserted = results.reduce((n, r) => n + r.inserted, 0);
    const stored = METERS.length * (18 * 4 + slots.length);
    assert.equal(inserted, stored);
    assert.equal(stats.meterReadings, stored);
    for (const m of METERS) {
      const got = await reader.readings({
        meterId: m,
        from: T0 + 200 * 900_000,
        to: T0 + MS.day * 3,
        limit: 10,
      });
      assert.deepEqual(
        got.map((r) => [r.value, r.quality]),
        slots.map(() => [2.5, 0]),
        `${m}: the real reading replaced the estimate, whatever the order`,
      );
    }
    const replaced = results.reduce((n, r) => n + r.replacedEstimates, 0);
    assert.ok(replaced <= est.length);
    await assertRollupsMatchReadings(reader, METERS, 3, locate);
  });
});
