// Sums meter-reading deltas into rollup rows for one write. Per reading it touches one map
// entry (transformer, 15-minute bucket); hours, days and feeders are derived from those at
// flush, since UTC hour and day boundaries are also 15-minute boundaries. Meter-level rollups
// are not materialised: a meter's rollup is a short primary-key range of its readings, and
// materialising it would triple the writes per reading (the reader aggregates instead).
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

type Sums = { energyKwh: number; readings: number; estimated: number };

const QUARTER_MS = 900_000;
const DERIVED: ReadonlyArray<[RollupLevel, number]> = [
  ['transformer', 3600],
  ['transformer', 86400],
  ['feeder', 900],
  ['feeder', 3600],
  ['feeder', 86400],
];

export class RollupAccumulator {
  private readonly quarters = new Map<string, Map<number, Sums>>();
  private readonly feederOf = new Map<string, string>();
  private readonly locate: MeterLocator;

  constructor(locate: MeterLocator) {
    this.locate = locate;
  }

  add(meterId: string, intervalStart: number, energyKwh: number, readings: number, estimated: number): void {
    const where = this.locate(meterId);
    if (!where) return;
    let byBucket = this.quarters.get(where.transformerId);
    if (!byBucket) {
      byBucket = new Map();
      this.quarters.set(where.transformerId, byBucket);
      this.feederOf.set(where.transformerId, where.feederId);
    }
    const bucket = bucketStart(intervalStart, QUARTER_MS);
    const s = byBucket.get(bucket);
    if (s) {
      s.energyKwh += energyKwh;
      s.readings += readings;
      s.estimated += estimated;
    } else {
      byBucket.set(bucket, { energyKwh, readings, estimated });
    }
  }

  /** Every transformer quarter-hour the write touched (a zero delta included). */
  transformerQuarters(): { transformerId: string; bucket: number }[] {
    return [...this.quarters].flatMap(([transformerId, byBucket]) =>
      [...byBucket.keys()].map((bucket) => ({ transformerId, bucket })),
    );
  }

  /** Every rollup row this write touches, with the delta to add (zero deltas are harmless). */
  deltas(): RollupDelta[] {
    const out: RollupDelta[] = [];
    const derived = new Map<string, RollupDelta>();
    for (const [txId, byBucket] of this.quarters) {
      const feederId = this.feederOf.get(txId)!;
      for (const [bucket, s] of byBucket) {
        out.push({ level: 'transformer', id: txId, resolution: 900, bucket, ...s });
        for (const [level, resolution] of DERIVED) {
          const id = level === 'transformer' ? txId : feederId;
          const b = bucketStart(bucket, resolution * 1000);
          const key = `${level}|${id}|${resolution}|${b}`;
          const d = derived.get(key);
          if (d) {
            d.energyKwh += s.energyKwh;
            d.readings += s.readings;
            d.estimated += s.estimated;
          } else {
            derived.set(key, { level, id, resolution, bucket: b, ...s });
          }
        }
      }
    }
    return [...out, ...derived.values()];
  }
}
