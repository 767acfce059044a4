// What a store does with a meter reading whose key (meter, channel, interval start) is already
// stored: the one decision both writers make, so SQLite and PostgreSQL cannot drift (the store
// contract suite checks they do not). A real reading replaces an estimate; anything else keeps
// the first stored value: a replay or client retry changes nothing, a different value is a
// conflict reported as an event.
import { Quality, type MeterReading } from '../../domain/readings.ts';
import type { StoreWriteResult } from './store.ts';

/** The stored row's value and quality. */
export type StoredValue = { value: number; quality: number };

/** What one reading adds to its rollup buckets. */
export type BucketDelta = { energyKwh: number; readings: number; estimated: number };

export const NO_CHANGE: BucketDelta = { energyKwh: 0, readings: 0, estimated: 0 };

export const isEstimated = (quality: number) => (quality & Quality.ESTIMATED) !== 0;

/**
 * Decides for a reading whose key is stored as `old`; counts the outcome into `result`. The
 * reading replaces the stored row exactly when the answer is not NO_CHANGE.
 */
export function resolveDuplicate(r: MeterReading, old: StoredValue, result: StoreWriteResult): BucketDelta {
  const estimated = isEstimated(r.quality);
  if (isEstimated(old.quality) && !estimated) {
    result.replacedEstimates++;
    return { energyKwh: r.value - old.value, readings: 0, estimated: -1 };
  }
  if (estimated || old.value === r.value) {
    result.unchanged++;
  } else {
    result.conflicts.push({
      meterId: r.meterId,
      obis: r.obis,
      intervalStart: r.intervalStart,
      storedValue: old.value,
      rejectedValue: r.value,
    });
  }
  return NO_CHANGE;
}
