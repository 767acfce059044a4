// Refreshes the freshness, completeness and grid KPI gauges from the store every few seconds.
// Computed from rollups, not raw readings, so a refresh costs a few indexed range reads.
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
  let received = 0;
  for (const f of topology.feeders) {
    for (const r of await store.rollups({ level: 'feeder', id: f.id, resolution: '1h', from, to })) {
      received += r.readings - r.estimated;
    }
    const [q] = await store.rollups({
      level: 'feeder',
      id: f.id,
      resolution: '15m',
      from: lastQuarter,
      to: lastQuarter + 1,
    });
    metrics.feederLoad.set({ feeder: f.id }, q ? q.energyKwh * 4 : 0);
  }
  const expected = topology.meters.length * 96;
  if (expected > 0) metrics.completeness.set(Math.min(1, received / expected));
  let overloaded = 0;
  for (const t of topology.transformers) {
    const [q] = await store.rollups({
      level: 'transformer',
      id: t.id,
      resolution: '15m',
      from: lastQuarter,
      to: lastQuarter + 1,
    });
    if (q && loadingLevel(transformerLoading(q.energyKwh, 900, t.kva).loadingRatio) === 'overload')
      overloaded++;
  }
  metrics.transformersOverloaded.set(overloaded);
}
