// The lookup at the head of every batch: each reading's series state, found once and handed to
// every later step, so a reading costs two Map lookups of existing strings and no key building.
import type { Reading } from '../../domain/readings.ts';
import type { Topology } from '../../domain/topology.ts';
import type { Series, SeriesTracker } from './series-tracker.ts';

/** The time a reading is ordered by within its series. */
export const timeOf = (r: Reading) => (r.kind === 'meter' ? r.intervalStart : r.ts);

/**
 * Each reading's series, found once (undefined: a device missing from the topology), the meter
 * series whose history is not loaded yet, and whether every series' readings are in time order.
 * `pass` must be new at each call (it tells this call's marks on a series from older ones).
 * `partitions` (each reading's bus partition) is recorded on the series, for keepPartitions.
 */
export function seriesOf(
  topology: Topology,
  tracker: SeriesTracker,
  readings: readonly Reading[],
  pass: number,
  partitions?: readonly number[],
): {
  series: (Series | undefined)[];
  meterSeries: Series[];
  ordered: boolean;
} {
  const series: (Series | undefined)[] = new Array(readings.length);
  const meterSeries: Series[] = [];
  let ordered = true;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    let s: Series | undefined;
    if (r.kind === 'meter') {
      // The topology's copy of the id: its hash is computed once, not once per reading.
      const id = topology.meterById.get(r.meterId)?.id;
      s = id === undefined ? undefined : tracker.series(id, r.obis);
      if (s && !s.loaded) meterSeries.push(s);
    } else {
      const id = topology.sensorById.get(r.sensorId)?.id;
      s = id === undefined ? undefined : tracker.series(id, r.sensorType);
    }
    series[i] = s;
    if (!s) continue;
    if (partitions) s.partition = partitions[i]!;
    const t = timeOf(r);
    if (s.seenIn !== pass) {
      s.seenIn = pass;
      s.seenAt = t;
    } else if (t < s.seenAt) ordered = false;
    else s.seenAt = t;
  }
  return { series, meterSeries, ordered };
}
