// VEE's estimation: linear interpolation across a gap, flagged ESTIMATED. Used by VEE itself
// and by the processor when it re-estimates holes in a history it just loaded.
import { Quality, type MeterReading } from './readings.ts';

/**
 * Estimates for the slots strictly between two readings of a series, on the grid of the first:
 * each on the straight line from `before.lastValue` to `value` (the second reading's value after
 * editing), flagged ESTIMATED, with the second reading's ids, unit and receive time.
 */
export function linearEstimates(
  before: { readonly lastStart: number; readonly lastValue: number },
  after: Pick<
    MeterReading,
    'meterId' | 'customerId' | 'obis' | 'intervalStart' | 'intervalSeconds' | 'unit' | 'receivedAt'
  >,
  value: number,
): MeterReading[] {
  const intervalMs = after.intervalSeconds * 1000;
  const missing = Math.ceil((after.intervalStart - before.lastStart) / intervalMs) - 1;
  const estimates: MeterReading[] = [];
  for (let k = 1; k <= missing; k++) {
    estimates.push({
      meterId: after.meterId,
      ...(after.customerId !== undefined && { customerId: after.customerId }),
      obis: after.obis,
      intervalStart: before.lastStart + k * intervalMs,
      intervalSeconds: after.intervalSeconds,
      value: before.lastValue + ((value - before.lastValue) * k) / (missing + 1),
      unit: after.unit,
      quality: Quality.ESTIMATED,
      receivedAt: after.receivedAt,
    });
  }
  return estimates;
}
