// Part of the store contract (store-contract.ts), run inside its describe for each store:
// reads across a whole rollup level (the KPI refresh) and the retention of raw readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SensorReading } from '../../domain/readings.ts';
import type { StoreReader, StoreWriter } from './store.ts';
import { T0, batch, outage, reading } from './store-fixtures.ts';

const DAY = 86_400_000;

export function levelAndRetentionContract(
  setup: () => Promise<{ writer: StoreWriter; reader: StoreReader }>,
): void {
  test('levelRollups: every transformer or feeder of a level in a time range, by id then bucket', async () => {
    const { writer, reader } = await setup();
    await writer.writeBatch(
      batch([
        reading('MTR-1', 0, 1),
        reading('MTR-2', 0, 2),
        reading('MTR-3', 0, 4),
        reading('MTR-4', 1, 8),
        reading('MTR-4', 4, 16),
      ]),
    );
    const rows = (r: { id: string; bucket: number; energyKwh: number; readings: number }[]) =>
      r.map((x) => [x.id, (x.bucket - T0) / 900_000, x.energyKwh, x.readings]);
    // The quarter-hours of the first hour: TX-3's slot 4 is outside.
    assert.deepEqual(
      rows(
        await reader.levelRollups({
          level: 'transformer',
          resolution: '15m',
          from: T0,
          to: T0 + 3_600_000,
        }),
      ),
      [
        ['TX-1', 0, 3, 2],
        ['TX-2', 0, 4, 1],
        ['TX-3', 1, 8, 1],
      ],
    );
    assert.deepEqual(
      rows(await reader.levelRollups({ level: 'feeder', resolution: '1h', from: T0, to: T0 + DAY })),
      [
        ['FDR-1', 0, 7, 3],
        ['FDR-2', 0, 8, 1],
        ['FDR-2', 4, 16, 1],
      ],
    );
    // Each row is the one rollups() gives for its id.
    const [tx3] = await reader.rollups({
      level: 'transformer',
      id: 'TX-3',
      resolution: '1d',
      from: T0,
      to: T0 + DAY,
    });
    assert.deepEqual(
      await reader.levelRollups({ level: 'transformer', resolution: '1d', from: T0, to: T0 + DAY }),
      [
        { id: 'TX-1', bucket: T0, energyKwh: 3, readings: 2, estimated: 0 },
        { id: 'TX-2', bucket: T0, energyKwh: 4, readings: 1, estimated: 0 },
        { id: 'TX-3', ...tx3! },
      ],
    );
    assert.deepEqual(
      await reader.levelRollups({
        level: 'transformer',
        resolution: '15m',
        from: T0 + DAY,
        to: T0 + 2 * DAY,
      }),
      [],
    );
  });

  test('retention: readings before the cutoff go, later ones, rollups and events stay', async () => {
    const { writer, reader } = await setup();
    const sensor = (day: number): SensorReading => ({
      sensorId: 'S-1',
      sensorType: 'voltage',
      ts: T0 + day * DAY,
      value: 230,
      unit: 'V',
      receivedAt: T0,
    });
    await writer.writeBatch({
      ...batch([
        reading('MTR-1', 0, 1),
        reading('MTR-1', 95, 2),
        reading('MTR-1', 96, 4),
        reading('MTR-2', 200, 8),
      ]),
      sensorReadings: [sensor(0), sensor(1)],
      events: [outage(1)],
    });
    const left = async (meterId: string) =>
      (await reader.readings({ meterId, from: T0, to: T0 + 3 * DAY, limit: 10 })).map(
        (r) => (r.intervalStart - T0) / 900_000,
      );
    // The dry run: two meter readings and a sensor sample before the cutoff; nothing deleted.
    const preview = await writer.readingsBefore(T0 + DAY);
    assert.equal(preview.rows, 3, `counted ${JSON.stringify(preview)}`);
    assert.deepEqual(await left('MTR-1'), [0, 95, 96]);
    const result = await writer.deleteReadingsBefore(T0 + DAY);
    assert.ok(result.days + result.rows > 0, `deleted ${JSON.stringify(result)}`);
    assert.equal(result.days, preview.days, 'the partitions counted are the ones dropped');
    assert.deepEqual(await writer.readingsBefore(T0 + DAY), { days: 0, rows: 0 });
    assert.deepEqual(await left('MTR-1'), [96]);
    assert.deepEqual(await left('MTR-2'), [200]);
    const [day0] = await reader.rollups({
      level: 'feeder',
      id: 'FDR-1',
      resolution: '1d',
      from: T0,
      to: T0 + DAY,
    });
    assert.equal(day0?.energyKwh, 3, 'the rollups of deleted days are kept');
    assert.equal((await reader.events({ from: T0, to: T0 + DAY, limit: 10 })).length, 1);
    // Idempotent; the next day's readings are untouched by a second run.
    await writer.deleteReadingsBefore(T0 + DAY);
    assert.deepEqual(await left('MTR-1'), [96]);
    // New readings of a deleted day can still be written (a late reading), and go again next time.
    await writer.writeBatch(batch([reading('MTR-1', 3, 5)]));
    assert.deepEqual(await left('MTR-1'), [3, 96]);
    await writer.deleteReadingsBefore(T0 + DAY);
    assert.deepEqual(await left('MTR-1'), [96]);
  });
}
