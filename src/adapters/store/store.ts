// The store port. Writes are idempotent on (meter, channel, interval start) so a replayed bus
// batch changes nothing; rollups are derived from the rows a write really inserted, in the same
// transaction, so they always equal a recomputation from the readings.
import type { MeterReading, SensorReading, Reading } from '../../domain/readings.ts';
import type { GridEvent } from '../../domain/events.ts';

export type RollupLevel = 'meter' | 'transformer' | 'feeder';
export const RESOLUTIONS = { '15m': 900, '1h': 3600, '1d': 86400 } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export interface StoreBatch {
  meterReadings: MeterReading[];
  sensorReadings: SensorReading[];
  /** Readings of devices missing from the topology: kept apart, counted, never dropped. */
  unknown: Reading[];
  events: GridEvent[];
  /** Highest interval end in the batch (event-time watermark), for freshness. */
  watermark?: number;
  /**
   * A hint: meter readings at or before their series' newest interval when processed (late
   * data, resends). Their keys may be stored already (an estimate to replace, a duplicate);
   * the others' keys are almost always new. A writer may treat the two apart; it must still be
   * right when the hint is wrong or missing.
   */
  late?: ReadonlySet<MeterReading>;
  /**
   * Events only the write can reveal (overloads from the quarter-hour totals, duplicate
   * conflicts): called inside the write's transaction, once its result is known; what it
   * returns is stored in that same transaction and reported as `derivedEvents`. One commit per
   * batch, not two, and no moment at which the readings are stored and their events not.
   */
  deriveEvents?: (result: StoreWriteResult) => GridEvent[];
}

export interface DuplicateConflict {
  meterId: string;
  obis: string;
  intervalStart: number;
  storedValue: number;
  rejectedValue: number;
}

export interface TransformerBucketTotal {
  transformerId: string;
  bucket: number;
  energyKwh: number;
}

export interface StoreWriteResult {
  inserted: number;
  /** Same key, same value: a replay or a client retry; nothing changed. */
  unchanged: number;
  /** Same key, different value: the first stored value wins; reported as an event. */
  conflicts: DuplicateConflict[];
  replacedEstimates: number;
  /** Totals of every transformer 15-minute bucket the batch touched, for overload checks. */
  transformerTotals: TransformerBucketTotal[];
  /** What `deriveEvents` returned, stored with the batch. */
  derivedEvents: GridEvent[];
}

export interface RollupRow {
  bucket: number;
  energyKwh: number;
  readings: number;
  estimated: number;
}

/** A materialised rollup row with the transformer or feeder it belongs to. */
export interface LevelRollupRow extends RollupRow {
  id: string;
}

export interface StoredMeterReading {
  meterId: string;
  obis: string;
  intervalStart: number;
  intervalSeconds: number;
  value: number;
  rawValue: number | null;
  unit: string;
  quality: number;
}

export interface TimeRange {
  from: number;
  to: number;
}

export interface StoreStats {
  watermark: number | null;
  meterReadings: number;
  sensorReadings: number;
  unknownReadings: number;
  events: number;
}

/** One (meter, channel) series. */
export interface SeriesKey {
  meterId: string;
  obis: string;
}

export interface StoreWriter {
  writeBatch(batch: StoreBatch): Promise<StoreWriteResult>;
  /**
   * The newest stored readings of each series, oldest first: one list per series, in the order
   * asked. To rebuild VEE state after a restart; batched, because a fresh processor meets
   * thousands of series at once and a round trip each cost it seconds on PostgreSQL.
   */
  recentReadings(series: readonly SeriesKey[], limit: number): Promise<StoredMeterReading[][]>;
  /**
   * Retention of raw readings: deletes the meter and sensor readings timed before `cutoff`
   * (epoch ms, a UTC midnight). Rollups and events are kept. PostgreSQL drops whole day
   * partitions (`days`) and deletes from the DEFAULT partition (`rows`); SQLite deletes rows.
   */
  deleteReadingsBefore(cutoff: number): Promise<{ days: number; rows: number }>;
  /**
   * What deleteReadingsBefore(cutoff) would delete, changing nothing (`gridops retention
   * --dry-run`): the day partitions it would drop (`days`, 0 in SQLite) and every reading timed
   * before the cutoff (`rows`, those partitions' readings included). Counts every row: slow on
   * a large store, so for a person deciding, not for the hourly schedule.
   */
  readingsBefore(cutoff: number): Promise<{ days: number; rows: number }>;
  close(): Promise<void>;
}

export interface StoreReader {
  readings(
    q: TimeRange & { meterId: string; obis?: string; limit: number; after?: number },
  ): Promise<StoredMeterReading[]>;
  rollups(q: TimeRange & { level: RollupLevel; id: string; resolution: Resolution }): Promise<RollupRow[]>;
  /**
   * The rollups of every transformer (or feeder) in a time range, by id then bucket: what the
   * grid KPIs read every few seconds, in one query whatever the size of the grid (one query per
   * transformer would be thousands a second on a utility's RDS).
   */
  levelRollups(
    q: TimeRange & { level: Exclude<RollupLevel, 'meter'>; resolution: Resolution },
  ): Promise<LevelRollupRow[]>;
  events(
    q: TimeRange & { types?: string[]; subjectId?: string; limit: number; after?: string },
  ): Promise<GridEvent[]>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/** Maps a meter to where its load is aggregated; undefined for meters not in the topology. */
export type MeterLocator = (meterId: string) => { transformerId: string; feederId: string } | undefined;
