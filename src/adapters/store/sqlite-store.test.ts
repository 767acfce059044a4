import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStoreWriter } from './sqlite-store-writer.ts';
import { SqliteStoreReader, encodeCursor } from './sqlite-store-reader.ts';
import { OBIS, Quality, type MeterReading } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import type { MeterLocator, StoreBatch } from './store.ts';

const T0 = Date.UTC(2026, 10, 1);
const locate: MeterLocator = (id) =>
  id.startsWith('MTR') ? { transformerId: 'TX-1', feederId: 'FDR-1' } : undefined;

function reading(meterId: string, slot: number, value: number, quality = 0): MeterReading {
  return {
    meterId,
    obis: OBIS.ACTIVE_IMPORT,
    intervalStart: T0 + slot * 900_000,
    intervalSeconds: 900,
    value,
    unit: 'kWh',
    quality,
    receivedAt: T0,
  };
}
function batch(meterReadings: MeterReading[], events: GridEvent[] = []): StoreBatch {
  return { meterReadings, sensorReadings: [], unknown: [], events };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-store-'));
  const opts = { path: join(dir, 'store.db'), synchronous: 'NORMAL' as const };
  const writer = new SqliteStoreWriter(opts, locate);
  const reader = new SqliteStoreReader(opts);
  return {
    writer,
    reader,
    cleanup: async () => {
      await writer.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a replayed batch changes nothing and rollups stay equal to the readings', async () => {
  const { writer, reader, cleanup } = setup();
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
  // A replay still reports its quarter-hour totals, so overloads are re-checked after a crash.
  assert.deepEqual(
    again.transformerTotals.map((t) => [t.bucket - T0, t.energyKwh]).sort((a, b) => a[0]! - b[0]!),
    [
      [0, 5.5],
      [900_000, 2.5],
      [5 * 900_000, 1],
    ],
  );

  const hour = await reader.rollups({
    level: 'transformer',
    id: 'TX-1',
    resolution: '1h',
    from: T0,
    to: T0 + 86_400_000,
  });
  assert.deepEqual(
    hour.map((r) => [r.bucket, r.energyKwh, r.readings]),
    [
      [T0, 1.5 + 2.5 + 4, 3],
      [T0 + 3_600_000, 1, 1],
    ],
  );
  const feederDay = await reader.rollups({
    level: 'feeder',
    id: 'FDR-1',
    resolution: '1d',
    from: T0,
    to: T0 + 86_400_000,
  });
  assert.equal(feederDay[0]?.energyKwh, 9);
  const meterQuarter = await reader.rollups({
    level: 'meter',
    id: 'MTR-1',
    resolution: '15m',
    from: T0,
    to: T0 + 3_600_000,
  });
  assert.deepEqual(
    meterQuarter.map((r) => r.energyKwh),
    [1.5, 2.5],
  );
  assert.equal((await reader.stats()).meterReadings, 4);
  await cleanup();
});

test('a different value for a stored key is a conflict; the first value wins', async () => {
  const { writer, reader, cleanup } = setup();
  await writer.writeBatch(batch([reading('MTR-1', 0, 1)]));
  const res = await writer.writeBatch(batch([reading('MTR-1', 0, 9)]));
  assert.equal(res.conflicts.length, 1);
  assert.deepEqual([res.conflicts[0]?.storedValue, res.conflicts[0]?.rejectedValue], [1, 9]);
  const [stored] = await reader.readings({ meterId: 'MTR-1', from: T0, to: T0 + 900_000, limit: 10 });
  assert.equal(stored?.value, 1);
  await cleanup();
});

test('a late real reading replaces an estimate and corrects the rollup', async () => {
  const { writer, reader, cleanup } = setup();
  await writer.writeBatch(batch([reading('MTR-1', 0, 2, Quality.ESTIMATED)]));
  const res = await writer.writeBatch(batch([reading('MTR-1', 0, 3)]));
  assert.equal(res.replacedEstimates, 1);
  const [r] = await reader.rollups({
    level: 'transformer',
    id: 'TX-1',
    resolution: '15m',
    from: T0,
    to: T0 + 900_000,
  });
  assert.deepEqual([r?.energyKwh, r?.readings, r?.estimated], [3, 1, 0]);
  assert.equal(res.transformerTotals[0]?.energyKwh, 3);
  // An estimate never overwrites a real reading.
  const est = await writer.writeBatch(batch([reading('MTR-1', 0, 7, Quality.ESTIMATED)]));
  assert.equal(est.unchanged, 1);
  await cleanup();
});

test('readings of unknown meters are kept apart and counted, not rolled up', async () => {
  const { writer, reader, cleanup } = setup();
  const stranger = reading('ZZZ-9', 0, 5);
  await writer.writeBatch({
    meterReadings: [],
    sensorReadings: [],
    unknown: [{ kind: 'meter', ...stranger }],
    events: [],
  });
  const stats = await reader.stats();
  assert.equal(stats.unknownReadings, 1);
  assert.equal(stats.meterReadings, 0);
  await cleanup();
});

test('events are idempotent by id and paginate by cursor', async () => {
  const { writer, reader, cleanup } = setup();
  const events: GridEvent[] = [0, 1, 2].map((i) => ({
    id: `outage:TX-${i}:${T0}`,
    type: 'outage',
    subjectKind: 'transformer',
    subjectId: `TX-${i}`,
    start: T0,
    severity: 'critical',
    detail: 'x',
  }));
  await writer.writeBatch(batch([], events));
  await writer.writeEvents(events);
  assert.equal((await reader.stats()).events, 3);
  const page1 = await reader.events({ from: T0, to: T0 + 1, limit: 2 });
  const page2 = await reader.events({ from: T0, to: T0 + 1, limit: 2, after: encodeCursor(page1[1]!) });
  assert.deepEqual(
    [...page1, ...page2].map((e) => e.subjectId),
    ['TX-0', 'TX-1', 'TX-2'],
  );
  await cleanup();
});
