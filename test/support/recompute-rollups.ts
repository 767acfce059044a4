// Recomputes every materialised rollup from the stored readings and the topology, and lists
// the rows where the store's incremental rollups differ (float tolerance 1e-6 kWh).
import type { DatabaseSync } from 'node:sqlite';
import type { TopologyFile } from '../../src/domain/topology.ts';
import { bucketStart, Quality } from '../../src/domain/readings.ts';

const LEVELS: [string, number][] = [
  ['transformer', 900],
  ['transformer', 3600],
  ['transformer', 86400],
  ['feeder', 900],
  ['feeder', 3600],
  ['feeder', 86400],
];

export interface ReadingRow {
  meter_id: string;
  interval_start: number;
  value: number;
  quality: number;
}

export interface RollupTableRow {
  level: string;
  id: string;
  resolution: number;
  bucket: number;
  energy_kwh: number;
  readings: number;
  estimated: number;
}

export const READINGS_SQL =
  "SELECT meter_id, interval_start, value, quality FROM meter_readings WHERE obis = '1-0:1.8.0'";
export const ROLLUPS_SQL =
  'SELECT level, id, resolution, bucket, energy_kwh, readings, estimated FROM rollups';

/** The embedded store's files, read directly. */
export function recomputeRollups(
  db: DatabaseSync,
  topology: TopologyFile,
): { mismatches: string[]; compared: number } {
  return compareRollups(
    db.prepare(READINGS_SQL).all() as unknown as ReadingRow[],
    db.prepare(ROLLUPS_SQL).all() as unknown as RollupTableRow[],
    topology,
  );
}

/** Any store: the readings and rollup rows as plain numbers. */
export function compareRollups(
  readings: readonly ReadingRow[],
  actual: readonly RollupTableRow[],
  topology: TopologyFile,
): { mismatches: string[]; compared: number } {
  const txOf = new Map(topology.meters.map((m) => [m.id, m.transformer_id]));
  const feederOf = new Map(topology.transformers.map((t) => [t.id, t.feeder_id]));
  const expected = new Map<string, { e: number; n: number; est: number }>();
  for (const r of readings) {
    const tx = txOf.get(r.meter_id);
    if (!tx) continue;
    for (const [level, res] of LEVELS) {
      const id = level === 'transformer' ? tx : feederOf.get(tx)!;
      const key = `${level}|${id}|${res}|${bucketStart(r.interval_start, res * 1000)}`;
      const acc = expected.get(key) ?? { e: 0, n: 0, est: 0 };
      acc.e += r.value;
      acc.n += 1;
      acc.est += (r.quality & Quality.ESTIMATED) !== 0 ? 1 : 0;
      expected.set(key, acc);
    }
  }
  const mismatches: string[] = [];

  const seen = new Set<string>();
  for (const a of actual) {
    const key = `${a.level}|${a.id}|${a.resolution}|${a.bucket}`;
    seen.add(key);
    const e = expected.get(key) ?? { e: 0, n: 0, est: 0 };
    if (Math.abs(e.e - a.energy_kwh) > 1e-6 || e.n !== a.readings || e.est !== a.estimated) {
      mismatches.push(
        `${key}: stored ${a.energy_kwh}/${a.readings}/${a.estimated}, recomputed ${e.e}/${e.n}/${e.est}`,
      );
    }
  }
  for (const key of expected.keys()) if (!seen.has(key)) mismatches.push(`${key}: missing from rollups`);
  return { mismatches, compared: expected.size };
}
