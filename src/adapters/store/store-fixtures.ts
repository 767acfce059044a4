// Fixtures of the store contract (store-contract.ts) and of the PostgreSQL suites: a small
// topology, reading and batch builders, and the check that every materialised rollup equals a
// recomputation from the stored readings.
import assert from 'node:assert/strict';
import { OBIS, Quality, bucketStart, type MeterReading } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';
import { RESOLUTIONS, type MeterLocator, type StoreBatch, type StoreReader } from './store.ts';

export const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const TOPO: Record<string, { transformerId: string; feederId: string }> = {
  'MTR-1': { transformerId: 'TX-1', feederId: 'FDR-1' },
  'MTR-2': { transformerId: 'TX-1', feederId: 'FDR-1' },
  'MTR-3': { transformerId: 'TX-2', feederId: 'FDR-1' },
  'MTR-4': { transformerId: 'TX-3', feederId: 'FDR-2' },
};
export const locate: MeterLocator = (id) =>
  TOPO[id] ?? (id.startsWith('MTR') ? { transformerId: 'TX-1', feederId: 'FDR-1' } : undefined);

export function reading(meterId: string, slot: number, value: number, quality = 0): MeterReading {
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
export function batch(meterReadings: MeterReading[], events: GridEvent[] = []): StoreBatch {
  return { meterReadings, sensorReadings: [], unknown: [], events };
}
export async function assertRollupsMatchReadings(
  reader: StoreReader,
  meters: string[],
  days = 2,
  where: MeterLocator = locate,
): Promise<void> {
  const expected = new Map<string, [number, number, number]>();
  for (const m of meters) {
    const at = where(m);
    if (!at) continue;
    const rows = await reader.readings({ meterId: m, from: T0 - DAY, to: T0 + days * DAY, limit: 100_000 });
    for (const r of rows) {
      for (const [level, id] of [
        ['transformer', at.transformerId],
        ['feeder', at.feederId],
      ] as const) {
        for (const [res, seconds] of Object.entries(RESOLUTIONS)) {
          const key = `${level}|${id}|${res}|${bucketStart(r.intervalStart, seconds * 1000)}`;
          const e = expected.get(key) ?? [0, 0, 0];
          e[0] += r.value;
          e[1] += 1;
          e[2] += (r.quality & Quality.ESTIMATED) !== 0 ? 1 : 0;
          expected.set(key, e);
        }
      }
    }
  }
  const subjects = new Set(
    meters.flatMap((m) => {
      const w = where(m);
      return w ? [`transformer|${w.transformerId}`, `feeder|${w.feederId}`] : [];
    }),
  );
  for (const subject of subjects) {
    const [level, id] = subject.split('|') as ['transformer' | 'feeder', string];
    for (const res of Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]) {
      const rows = await reader.rollups({
        level,
        id,
        resolution: res,
        from: T0 - DAY,
        to: T0 + days * DAY,
      });
      for (const r of rows) {
        const e = expected.get(`${level}|${id}|${res}|${r.bucket}`) ?? [0, 0, 0];
        expected.delete(`${level}|${id}|${res}|${r.bucket}`);
        assert.ok(
          Math.abs(r.energyKwh - e[0]) < 1e-9,
          `${level} ${id} ${res} ${r.bucket}: ${r.energyKwh} vs ${e[0]}`,
        );
        assert.deepEqual([r.readings, r.estimated], [e[1], e[2]], `${level} ${id} ${res} ${r.bucket} counts`);
      }
    }
  }
  assert.deepEqual([...expected.keys()], [], 'every bucket with readings has a rollup row');
}

/** An outage event of transformer TX-<i> (an event the store keeps by id). */
export function outage(i: number, start = T0): GridEvent {
  return {
    id: `outage:TX-${i}:${start}`,
    type: 'outage',
    subjectKind: 'transformer',
    subjectId: `TX-${i}`,
    start,
    severity: 'critical',
    detail: 'x',
  };
}
