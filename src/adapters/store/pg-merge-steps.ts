// The batch-wide, synchronous steps of the PostgreSQL readings merge (pg-readings-merge.ts):
// grouping and ordering, which copy of a key is offered, which readings were skipped, and the
// rollup delta of every reading. Apart from the async merge, which keeps only its round trips.
// They run once per batch over every reading, so V8 compiles their loops on stack replacement
// during the call, and does so again most batches: --trace-opt on bench/pipeline counted 53
// compilations of these three loops in 40 batches (inside mergeMeterReadings, 39 of it).
import { gridError } from '../../app/errors.ts';
import { OBIS, type MeterReading } from '../../domain/readings.ts';
import type { RollupAccumulator } from './rollup-accumulator.ts';
import type { StoreWriteResult } from './store.ts';
import {
  isEstimated,
  NO_CHANGE,
  resolveDuplicate,
  type BucketDelta,
  type StoredValue,
} from './duplicate-keys.ts';

/** A reading's key as one string. */
export const keyOf = (meterId: string, obis: string, start: number): string =>
  `${meterId}\u0000${obis}\u0000${start}`;

/** Sorts by (meter, channel, start): every writer takes row locks in the same order. */
export function byReadingKey(a: MeterReading, b: MeterReading): number {
  if (a.meterId !== b.meterId) return a.meterId < b.meterId ? -1 : 1;
  if (a.obis !== b.obis) return a.obis < b.obis ? -1 : 1;
  return a.intervalStart - b.intervalStart;
}

/** The readings of each meter, in batch order. */
export function groupByMeter(readings: readonly MeterReading[]): Map<string, MeterReading[]> {
  const byMeter = new Map<string, MeterReading[]>();
  for (const r of readings) {
    const group = byMeter.get(r.meterId);
    if (group) group.push(r);
    else byMeter.set(r.meterId, [r]);
  }
  return byMeter;
}

/**
 * Concatenates the groups in byReadingKey order, stable (equal keys keep batch order); sorts
 * each group in place. Grouping by meter first leaves only the distinct meter ids to sort,
 * natively: a comparator sort of a whole 20,000-reading batch cost about a second per 150,000
 * readings processed.
 */
export function sortGroups(byMeter: Map<string, MeterReading[]>): MeterReading[] {
  const out: MeterReading[] = [];
  for (const meterId of [...byMeter.keys()].sort()) {
    const group = byMeter.get(meterId)!;
    if (group.length > 1) group.sort(byReadingKey);
    for (const r of group) out.push(r);
  }
  return out;
}

/**
 * The first copy of each key in `sorted` (byReadingKey order), offered to the INSERT, and every
 * reading whose key the batch holds more than once, resolved key by key (`tracked`).
 */
export function firstCopies(sorted: readonly MeterReading[]): {
  offered: MeterReading[];
  tracked: Set<MeterReading>;
} {
  const offered: MeterReading[] = [];
  const tracked = new Set<MeterReading>();
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    const prev = sorted[i - 1];
    if (prev && byReadingKey(prev, r) === 0) tracked.add(prev).add(r);
    else offered.push(r);
  }
  return { offered, tracked };
}

/** The offered readings split into those in `late` (see StoreBatch.late) and the rest. */
export function splitLate(
  offered: readonly MeterReading[],
  late: ReadonlySet<MeterReading> | undefined,
): { fresh: MeterReading[]; lateOnes: MeterReading[] } {
  const fresh: MeterReading[] = [];
  const lateOnes: MeterReading[] = [];
  for (let i = 0; i < offered.length; i++) {
    const r = offered[i]!;
    (late?.has(r) ? lateOnes : fresh).push(r);
  }
  return { fresh, lateOnes };
}

/** A key the INSERT skipped, as PostgreSQL returns it. */
export type SkippedKey = { meter_id: string; obis: string; interval_start: number | string };

/** The readings the INSERT skipped (the first copy of each key), added to `tracked` too. */
export function skippedReadings(
  rows: readonly SkippedKey[],
  byMeter: ReadonlyMap<string, MeterReading[]>,
  tracked: Set<MeterReading>,
): Set<MeterReading> {
  const skipped = new Set<MeterReading>();
  for (const x of rows) {
    const start = Number(x.interval_start);
    const r = byMeter.get(x.meter_id)?.find((c) => c.obis === x.obis && c.intervalStart === start);
    if (!r)
      throw gridError('SG_ERR_STORE', [`skipped key ${x.meter_id} ${x.obis} ${start} is not in the batch`]);
    skipped.add(r); // the first copy in batch order: find() meets it first
    tracked.add(r);
  }
  return skipped;
}

/** What the merge knows of the keys it resolves one by one (see mergeMeterReadings). */
export interface Resolved {
  tracked: ReadonlySet<MeterReading>;
  skipped: ReadonlySet<MeterReading>;
  /** What is stored now per key resolved here: rows found, rows inserted by this write. */
  stored: Map<string, StoredValue>;
}

/**
 * Feeds every active-import reading's rollup delta to `acc` in batch order and counts into
 * `result`; resolves the tracked keys as SQLite would row by row. Answers the readings that
 * replace what is stored, by key.
 */
export function addDeltas(
  readings: readonly MeterReading[],
  { tracked, skipped, stored }: Resolved,
  acc: RollupAccumulator,
  result: StoreWriteResult,
): Map<string, MeterReading> {
  const replaced = new Map<string, MeterReading>();
  const seen = new Set<string>();
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    const estimated = isEstimated(r.quality) ? 1 : 0;
    let delta: BucketDelta;
    if (!tracked.has(r)) {
      // The steady state: the only copy of its key, and inserted.
      result.inserted++;
      delta = { energyKwh: r.value, readings: 1, estimated };
    } else {
      const k = keyOf(r.meterId, r.obis, r.intervalStart);
      const firstCopy = !seen.has(k);
      seen.add(k);
      if (firstCopy && !skipped.has(r)) {
        result.inserted++;
        stored.set(k, { value: r.value, quality: r.quality });
        delta = { energyKwh: r.value, readings: 1, estimated };
      } else {
        const old = stored.get(k);
        if (!old) throw gridError('SG_ERR_STORE', [`reading ${k} was neither inserted nor found`]);
        delta = resolveDuplicate(r, old, result);
        if (delta !== NO_CHANGE) {
          stored.set(k, { value: r.value, quality: r.quality });
          replaced.set(k, r);
        }
      }
    }
    if (r.obis === OBIS.ACTIVE_IMPORT)
      acc.add(r.meterId, r.intervalStart, delta.energyKwh, delta.readings, delta.estimated);
  }
  return replaced;
}
