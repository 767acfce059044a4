// Sums meter-reading deltas into rollup rows for one write. Meter-level 15-minute rollups are
// not materialised: with 15-minute readings they would copy the readings table (the reader
// aggregates them from readings instead).
import { bucketStart } from '../../domain/readings.ts';
import type { MeterLocator, RollupLevel } from './store.ts';

export interface RollupDelta {
  level: RollupLevel;
  id: string;
  resolution: number;
  bucket: number;
  energyKwh: number;
  readings: number;
  estimated: number;
}

const LEVEL_RESOLUTIONS: ReadonlyArray<[RollupLevel, number]> = [
  ['meter', 3600],
  ['meter', 86400],
  ['transformer', 900],
  ['transformer', 3600],
  ['transformer', 86400],
  ['feeder', 900],
  ['feeder', 3600],
  ['feeder', 86400],
];

export class RollupAccumulator {
  readonly deltas = new Map<string, RollupDelta>();
  private readonly locate: MeterLocator;

  constructor(locate: MeterLocator) {
    this.locate = locate;
  }

  add(meterId: string, intervalStart: number, energyKwh: number, readings: number, estimated: number): void {
    const where = this.locate(meterId);
    if (!where) return;
    for (const [level, resolution] of LEVEL_RESOLUTIONS) {
      const id = level === 'meter' ? meterId : level === 'transformer' ? where.transformerId : where.feederId;
      const bucket = bucketStart(intervalStart, resolution * 1000);
      const key = `${level}|${id}|${resolution}|${bucket}`;
      const d = this.deltas.get(key);
      if (d) {
        d.energyKwh += energyKwh;
        d.readings += readings;
        d.estimated += estimated;
      } else {
        this.deltas.set(key, { level, id, resolution, bucket, energyKwh, readings, estimated });
      }
    }
  }
}
