// The store contract: what every StoreWriter/StoreReader pair must do, run against each
// implementation (store-contract.test.ts: SQLite; pg-store.test.ts: PostgreSQL) so the
// embedded and the real column cannot drift.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OBIS, Quality, type SensorReading } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import { encodeCursor } from './store-rows.ts';
import type { MeterLocator, StoreBatch, StoreReader, StoreWriter } from './store.ts';
import { T0, assertRollupsMatchReadings, batch, locate, outage, reading } from './store-fixtures.ts';
import { levelAndRetentionContract } from './store-contract-levels.ts';
import { derivedEventsContract } from './store-contract-derived.ts';

const DAY = 86_400_000;

export interface StorePair {
  writer: StoreWriter;
  reader: StoreReader;
  cleanup(): Promise<void>;
}
/** A fresh, empty store (its own file or schema) whose writer aggregates with `locate`. */
export type StoreFactory = (locate: MeterLocator) => Promise<StorePair>;

const totals = (r: { transformerTotals: { transformerId: string; bucket: number; energyKwh: number }[] }) =>
  r.transformerTotals.map((t) => [t.transformerId, t.bucket - T0, t.energyKwh]);

/** Every materialised rollup recomputed from the stored readings (read back through the port). */
export function storeContract(name: string, make: StoreFactory, opts: { skip?: string | false } = {}): void {
  describe(`store contract: ${name}`, { skip: opts.skip ?? false }, () => {
    const open: StorePair[] = [];
    const setup = async () => {
      const s = await make(locate);
      open.push(s);
      return s;
    };
    after(async () => {
      for (const s of open) await s.cleanup();
    });

    test('a replayed batch changes nothing and rollups stay equal to the readings', async () => {
      const { writer, reader } = await setup();
      const rows = [
        reading('MTR-1', 0, 1.5),
        reading('MTR-1', 1, 2.5),
        reading('MTR-2', 0, 4),
        reading('MTR-2', 5, 1),
      ];
      const first = await writer.writeBatch(batch(rows));
      assert.equal(first.inserted, 4);
      const again = await writer.writeBatch(batch(rows));
      assert.deepEqual([again.inserted, again.unchanged, again.conflicts.length], [0, 4, 0]);
      // A replay still reports its quarter-hour totals, in first-seen order, so overloads are re-checked.
      assert.deepEqual(totals(again), [
        ['TX-1', 0, 5.5],
        ['TX-1', 900_000, 2.5],
        ['TX-1', 5 * 900_000, 1],
      ]);
      assert.deepEqual(totals(again), totals(first));
      const hour = await reader.rollups({
        level: 'transformer',
        id: 'TX-1',
        resolution: '1h',
        from: T0,
        to: T0 + DAY,
      });
      assert.deepEqual(
        hour.map((r) => [r.bucket, r.energyKwh, r.readings, r.estimated]),
        [
          [T0, 8, 3, 0],
          [T0 + 3_600_000, 1, 1, 0],
        ],
      );
      const feederDay = await reader.rollups({
        level: 'feeder',
        id: 'FDR-1',
        resolution: '1d',
        from: T0,
        to: T0 + DAY,
      });
      assert.deepEqual(feederDay, [{ bucket: T0, energyKwh: 9, readings: 4, estimated: 0 }]);
      const meterQuarter = await reader.rollups({
        level: 'meter',
        id: 'MTR-1',
        resolution: '15m',
        from: T0,
        to: T0 + 3_600_000,
      });
      assert.deepEqual(meterQuarter, [
        { bucket: T0, energyKwh: 1.5, readings: 1, estimated: 0 },
        { bucket: T0 + 900_000, energyKwh: 2.5, readings: 1, estimated: 0 },
      ]);
      assert.equal((await reader.stats()).meterReadings, 4);
      await assertRollupsMatchReadings(reader, ['MTR-1', 'MTR-2']);
    });

    derivedEventsContract(setup);
    levelAndRetentionContract(setup);

    test('a different value for a stored key is a conflict; the first value wins', async () => {
      const { writer, reader } = await setup();
      await writer.writeBatch(batch([reading('MTR-1', 0, 1)]));
      const res = await writer.writeBatch(batch([reading('MTR-1', 0, 9)]));
      assert.deepEqual(res.conflicts, [
        { meterId: 'MTR-1', obis: OBIS.ACTIVE_IMPORT, intervalStart: T0, storedValue: 1, rejectedValue: 9 },
      ]);
      const stored = await reader.readings({ meterId: 'MTR-1', from: T0, to: T0 + 900_000, limit: 10 });
      assert.deepEqual(stored, [
        {
          meterId: 'MTR-1',
          obis: OBIS.ACTIVE_IMPORT,
          intervalStart: T0,
          intervalSeconds: 900,
          value: 1,
          rawValue: null,
          unit: 'kWh',
          quality: 0,
        },
      ]);
    });

    test('a late real reading replaces an estimate and corrects the rollup', async () => {
      const { writer, reader } = await setup();
      await writer.writeBatch(batch([reading('MTR-1', 0, 2, Quality.ESTIMATED)]));
      const res = await writer.writeBatch(
        batch([{ ...reading('MTR-1', 0, 3, Quality.EDITED), rawValue: 30 }]),
      );
      assert.equal(res.replacedEstimates, 1);
      const [r] = await reader.rollups({
        level: 'transformer',
        id: 'TX-1',
        resolution: '15m',
        from: T0,
        to: T0 + 900_000,
      });
      assert.deepEqual([r?.energyKwh, r?.readings, r?.estimated], [3, 1, 0]);
      assert.deepEqual(totals(res), [['TX-1', 0, 3]]);
      const [stored] = await reader.readings({ meterId: 'MTR-1', from: T0, to: T0 + 900_000, limit: 1 });
      assert.deepEqual([stored?.value, stored?.rawValue, stored?.quality], [3, 30, Quality.EDITED]);
      // An estimate never overwrites a real reading.
      const est = await writer.writeBatch(batch([reading('MTR-1', 0, 7, Quality.ESTIMATED)]));
      assert.deepEqual([est.unchanged, est.replacedEstimates, est.conflicts.length], [1, 0, 0]);
    });

    test('duplicates inside one batch resolve in batch order, as if written one by one', async () => {
      const { writer, reader } = await setup();
      const res = await writer.writeBatch(
        batch([
          reading('MTR-1', 0, 2, Quality.ESTIMATED),
          reading('MTR-1', 0, 5), // replaces the estimate written just before
          reading('MTR-1', 0, 5), // a retry: unchanged
          reading('MTR-1', 0, 6), // a conflict with 5
          reading('MTR-1', 0, 1, Quality.ESTIMATED), // an estimate never wins
          reading('MTR-2', 3, 1),
        ]),
      );
      assert.deepEqual(
        [
          res.inserted,
          res.replacedEstimates,
          res.unchanged,
          res.conflicts.map((c) => [c.storedValue, c.rejectedValue]),
        ],
        [2, 1, 2, [[5, 6]]],
      );
      assert.deepEqual(totals(res), [
        ['TX-1', 0, 5],
        ['TX-1', 3 * 900_000, 1],
      ]);
      assert.equal((await reader.stats()).meterReadings, 2);
      await assertRollupsMatchReadings(reader, ['MTR-1', 'MTR-2']);
    });

    test('readings of unknown meters are kept apart and counted, not rolled up', async () => {
      const { writer, reader } = await setup();
      const stranger = reading('ZZZ-9', 0, 5);
      const unknown = {
        meterReadings: [],
        sensorReadings: [],
        unknown: [{ kind: 'meter' as const, ...stranger }],
        events: [],
      };
      await writer.writeBatch(unknown);
      await writer.writeBatch(unknown);
      // A meter the locator does not know, written as a reading: stored, but in no rollup.
      const res = await writer.writeBatch(batch([reading('ZZZ-8', 0, 5)]));
      assert.deepEqual([res.inserted, res.transformerTotals], [1, []]);
      const stats = await reader.stats();
      assert.deepEqual([stats.unknownReadings, stats.meterReadings], [1, 1]);
    });

    test('sensor samples are idempotent; the watermark only moves forward', async () => {
      const { writer, reader } = await setup();
      const s: SensorReading = {
        sensorId: 'S-1',
        sensorType: 'voltage',
        ts: T0,
        value: 230.5,
        unit: 'V',
        lat: 51.5,
        receivedAt: T0,
      };
      const b: StoreBatch = {
        meterReadings: [],
        sensorReadings: [s, { ...s, ts: T0 + 1000 }, s],
        unknown: [],
        events: [],
        watermark: T0 + 5000,
      };
      await writer.writeBatch(b);
      await writer.writeBatch({ ...b, watermark: T0 + 1000 });
      assert.deepEqual(await reader.stats(), {
        watermark: T0 + 5000,
        meterReadings: 0,
        sensorReadings: 2,
        unknownReadings: 0,
        events: 0,
      });
    });

    test('events are idempotent by id, filter by type and subject, and paginate by cursor', async () => {
      const { writer, reader } = await setup();
      const events = [0, 1, 2].map((i) => outage(i));
      await writer.writeBatch(batch([], events));
      await writer.writeBatch(batch([], events));
      const dip: GridEvent = {
        id: 'dip:S-1:1',
        type: 'voltage_dip',
        subjectKind: 'sensor',
        subjectId: 'S-1',
        start: T0 + 1,
        end: T0 + 9,
        severity: 'warning',
        value: 0.5,
        detail: 'dip',
      };
      await writer.writeBatch(batch([], [dip, dip]));
      assert.equal((await reader.stats()).events, 4);
      const page1 = await reader.events({ from: T0, to: T0 + 1, limit: 2 });
      const page2 = await reader.events({ from: T0, to: T0 + 1, limit: 2, after: encodeCursor(page1[1]!) });
      assert.deepEqual(
        [...page1, ...page2].map((e) => e.subjectId),
        ['TX-0', 'TX-1', 'TX-2'],
      );
      assert.deepEqual(await reader.events({ from: T0, to: T0 + DAY, types: ['voltage_dip'], limit: 10 }), [
        dip,
      ]);
      assert.deepEqual(
        (await reader.events({ from: T0, to: T0 + DAY, subjectId: 'TX-1', limit: 10 })).map((e) => e.id),
        [events[1]!.id],
      );
      assert.deepEqual(
        await reader.events({
          from: T0,
          to: T0 + DAY,
          types: ['outage', 'voltage_dip'],
          limit: 10,
          after: encodeCursor(events[2]!),
        }),
        [dip],
      );
    });

    test('readings page by interval start; recent readings come oldest first', async () => {
      const { writer, reader } = await setup();
      await writer.writeBatch(batch([5, 1, 3, 2, 4].map((slot) => reading('MTR-1', slot, slot))));
      const page = await reader.readings({
        meterId: 'MTR-1',
        from: T0,
        to: T0 + DAY,
        limit: 2,
        after: T0 + 900_000,
      });
      assert.deepEqual(
        page.map((r) => r.value),
        [2, 3],
      );
      assert.deepEqual(
        await reader.readings({
          meterId: 'MTR-1',
          obis: OBIS.ACTIVE_EXPORT,
          from: T0,
          to: T0 + DAY,
          limit: 9,
        }),
        [],
      );
      const [one, none, other] = await writer.recentReadings(
        [
          { meterId: 'MTR-1', obis: OBIS.ACTIVE_IMPORT },
          { meterId: 'MTR-9', obis: OBIS.ACTIVE_IMPORT },
          { meterId: 'MTR-1', obis: OBIS.ACTIVE_EXPORT },
        ],
        3,
      );
      assert.deepEqual(
        one!.map((r) => r.value),
        [3, 4, 5],
      );
      assert.deepEqual(none, []);
      assert.deepEqual(other, []);
      assert.deepEqual(await writer.recentReadings([], 3), []);
    });

    test('property: any sequence of batches (replays, estimates, conflicts) keeps rollups = recomputation', async () => {
      const { writer, reader } = await setup();
      const meters = ['MTR-1', 'MTR-2', 'MTR-3', 'MTR-4'];
      let written = 0;
      // One store across runs: later runs replay and overwrite earlier ones, which is the point.
      const r = fc.record({
        meter: fc.constantFrom(...meters),
        slot: fc.integer({ min: 0, max: 200 }),
        quarters: fc.integer({ min: 0, max: 40 }),
        estimated: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(r, { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
          async (batches) => {
            for (const b of batches) {
              const res = await writer.writeBatch(
                batch(
                  b.map((x) => reading(x.meter, x.slot, x.quarters / 4, x.estimated ? Quality.ESTIMATED : 0)),
                ),
              );
              written += res.inserted;
              assert.equal(
                res.inserted + res.unchanged + res.conflicts.length + res.replacedEstimates,
                b.length,
              );
            }
          },
        ),
        { numRuns: 15, seed: 7 },
      );
      assert.equal((await reader.stats()).meterReadings, written);
      await assertRollupsMatchReadings(reader, meters, 3);
    });
  });
}
