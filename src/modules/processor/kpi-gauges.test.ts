import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTopology } from '../../domain/topology.ts';
import { OBIS, type MeterReading } from '../../domain/readings.ts';
import { SqliteStoreReader } from '../../adapters/store/sqlite-store-reader.ts';
import { SqliteStoreWriter } from '../../adapters/store/sqlite-store-writer.ts';
import type { StoreReader } from '../../adapters/store/store.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { meterLocator } from './meter-locator.ts';
import { refreshKpis } from './kpi-gauges.ts';

const HOUR = Date.UTC(2026, 0, 1, 10);
const Q = 900_000;

/** Two feeders, three 100 kVA transformers: M1, M2 on TX-1 and M3 on TX-2 (FDR-A), M4 on TX-3 (FDR-B). */
const topology = buildTopology({
  substations: [{ id: 'SUB' }],
  feeders: [
    { id: 'FDR-A', substation_id: 'SUB' },
    { id: 'FDR-B', substation_id: 'SUB' },
  ],
  transformers: [
    { id: 'TX-1', feeder_id: 'FDR-A', kva: 100 },
    { id: 'TX-2', feeder_id: 'FDR-A', kva: 100 },
    { id: 'TX-3', feeder_id: 'FDR-B', kva: 100 },
  ],
  meters: [
    ['M1', 'TX-1'],
    ['M2', 'TX-1'],
    ['M3', 'TX-2'],
    ['M4', 'TX-3'],
  ].map(([id, tx]) => ({
    id: id!,
    customer_id: `C-${id}`,
    transformer_id: tx!,
    class: 'household' as const,
  })),
  sensors: [],
});

const reading = (meterId: string, quarter: number, value: number): MeterReading => ({
  meterId,
  obis: OBIS.ACTIVE_IMPORT,
  intervalStart: HOUR + quarter * Q,
  intervalSeconds: 900,
  value,
  unit: 'kWh',
  quality: 0,
  receivedAt: HOUR,
});

/** The reader, with the name of every method called on it recorded in `calls`. */
function counting(reader: StoreReader, calls: string[]): StoreReader {
  return new Proxy(reader, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

test('KPIs: freshness, completeness, feeder load and overloads from three range reads, whatever the grid size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-kpi-'));
  const path = join(dir, 'store.db');
  const writer = new SqliteStoreWriter({ path }, meterLocator(topology));
  const reader = new SqliteStoreReader({ path });
  try {
    const readings: MeterReading[] = [];
    for (let q = 0; q < 4; q++)
      for (const m of ['M1', 'M2', 'M3', 'M4']) readings.push(reading(m, q, q === 3 && m !== 'M3' ? 15 : 1));
    // The last quarter (10:45): TX-1 draws 30 kWh = 126 kVA at pf 0.95 on 100 kVA, overloaded;
    // TX-2 1 kWh, TX-3 15 kWh (63 %).
    await writer.writeBatch({
      meterReadings: readings,
      sensorReadings: [],
      unknown: [],
      events: [],
      watermark: HOUR + 4 * Q,
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const calls: string[] = [];
    await refreshKpis(counting(reader, calls), topology, metrics, HOUR + 4 * Q + 60_000);
    assert.deepEqual(calls.sort(), ['levelRollups', 'levelRollups', 'levelRollups', 'stats']);
    const value = async (g: { get(): Promise<{ values: { value: number; labels: object }[] }> }) =>
      (await g.get()).values.map((v) => [v.labels, v.value]);
    assert.deepEqual(await value(metrics.freshness), [[{}, 60]]);
    // The last complete hour before the watermark's hour holds all 16 readings of 4 x 96 a day.
    assert.deepEqual(await value(metrics.completeness), [[{}, 16 / 384]]);
    assert.deepEqual(await value(metrics.feederLoad), [
      [{ feeder: 'FDR-A' }, 31 * 4],
      [{ feeder: 'FDR-B' }, 15 * 4],
    ]);
    assert.deepEqual(await value(metrics.transformersOverloaded), [[{}, 1]]);
  } finally {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
