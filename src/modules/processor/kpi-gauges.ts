// Refreshes the freshness, completeness and grid KPI gauges from the store every few seconds.
// Computed from rollups, not raw readings: a refresh is three indexed range reads.
import type { StoreReader } from '../../adapters/store/store.ts';
import type { Topology } from '../../domain/topology.ts';
import { transformerLoading, loadingLevel } from '../../domain/transformer-loading.ts';
import { bucketStart, MS } from '../../domain/readings.ts';
import type { Metrics } from '../../telemetry/metrics.ts';

export async function refreshKpis(
  store: StoreReader,
  topology: Topology,
  metrics: Metrics,
  now: number,
): Promise<void> {
  const { watermark } = await store.stats();
  if (watermark !== null) metrics.freshness.set(Math.max(0, (now - watermark) / 1000));
  // Completeness over the last complete 24 hours of data time, so a backfill in progress and a
  // quiet night are judged the same way: intervals received over intervals expected.
  const dataNow = watermark ?? now;
  const to = bucketStart(dataNow, MS.hour);
  const from = to - MS.day;
  const lastQuarter = bucketStart(dataNow, 15 * MS.minute) - 15 * MS.minute;
  const quarter = { from: lastQuarter, to: lastQuarter + 1 } as const;
  // Three queries per refresh whatever the grid's size: per level, not per feeder or transformer.
  const [feederHours, feederQuarter, transformerQuarter] = await Promise.all([
    store.levelRollups({ level: 'feeder', resolution: '1h', from, to }),
    store.levelRollups({ level: 'feeder', resolution: '15m', ...quarter }),
    store.levelRollups({ level: 'transformer', resolution: '15m', ...quarter }),
  ]);
  const feeders = new Set(topology.feeders.map((f) => f.id));
  let received = 0;
  for (const r of feederHours) if (feeders.has(r.id)) received += r.readings - r.estimated;
  const feederLoad = new Map(feederQuarter.map((r) => [r.id, r.energyKwh * 4]));
  for (const f of topology.feeders) metrics.feederLoad.set({ feeder: f.id }, feederLoad.get(f.id) ?? 0);
  const expected = topology.meters.length * 96;
  if (expected > 0) metrics.completeness.set(Math.min(1, received / expected));
  const transformerEnergy = new Map(transformerQuarter.map((r) => [r.id, r.energyKwh]));
  let overloaded = 0;
  for (const t of topology.transformers) {
    const kwh = transformerEnergy.get(t.id);
    if (kwh !== undefined && loadingLevel(transformerLoading(kwh, 900, t.kva).loadingRatio) === 'overload')
      overloaded++;
  }
  metrics.transformersOverloaded.set(overloaded);
}
