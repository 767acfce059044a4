// Per-series state the processor keeps between batches: VEE history per (meter, channel),
// anomaly windows per series, power-quality windows per sensor, and last-seen / last-gasp times
// for outage detection. Lost on restart by design: VEE history is reloaded from the store on
// first sight of a series, the rest rebuilds from the stream. Changes made while processing a
// batch can be undone, so a batch whose store write failed is met afresh when it comes again.
import { DEFAULT_VEE, type SeriesState } from '../../domain/vee.ts';
import { linearEstimates } from '../../domain/vee-estimates.ts';
import type { MeterReading } from '../../domain/readings.ts';
import type { AnomalyState } from '../../domain/anomaly.ts';
import type { PqState } from '../../domain/power-quality.ts';
import type { StoreWriter, StoredMeterReading } from '../../adapters/store/store.ts';
import { JournaledMap } from './journaled-map.ts';
import { ValueWindow } from '../../domain/value-window.ts';

const HISTORY = 16;
/** Series per history read: one statement's arrays stay small, and progress is kept per chunk. */
const PRELOAD_CHUNK = 2000;

/**
 * Everything remembered about one series: a meter channel (id = meter, channel = OBIS code) or
 * a sensor (id = sensor, channel = sensor type). One object per series, found with one lookup
 * per reading; the states in it are immutable values, replaced as readings arrive.
 */
export class Series {
  readonly id: string;
  readonly channel: string;
  vee: SeriesState | undefined = undefined;
  pq: PqState | undefined = undefined;
  /** Anomaly windows: one per UTC hour of day for series that follow the day, else one at 0. */
  anomaly: (AnomalyState | undefined)[] = [];
  /** Length of the current anomalous run, signed by its direction (0: normal). */
  anomalySign = 0;
  /** Its VEE history was read from the store (meter channels). */
  loaded = false;
  /** The bus partition its readings come on (one per series: they are keyed by transformer). */
  partition = -1;
  /** The last batch that changed it (SeriesTracker.touch). */
  epoch = 0;
  /** The newest reading time met in pass `seenIn` of ProcessorCore's order check. */
  seenAt = 0;
  seenIn = -1;

  constructor(id: string, channel: string) {
    this.id = id;
    this.channel = channel;
  }
}

/** A series as it was when a batch first changed it. */
interface Before {
  series: Series;
  vee: SeriesState | undefined;
  pq: PqState | undefined;
  anomaly: (AnomalyState | undefined)[];
  anomalySign: number;
}

export class SeriesTracker {
  readonly lastSeen = new JournaledMap<string, number>();
  readonly lastGasp = new JournaledMap<string, number>();
  /** id -> channel -> series: two lookups of existing strings, no key built per reading. */
  private readonly all = new Map<string, Map<string, Series>>();
  private epoch = 0;
  /** Series changed since begin(), as they were before (undefined: not in a batch). */
  private before: Before[] | undefined;

  /** The series' state holder, made on first sight. */
  series(id: string, channel: string): Series {
    let channels = this.all.get(id);
    if (!channels) this.all.set(id, (channels = new Map()));
    let s = channels.get(channel);
    if (!s) channels.set(channel, (s = new Series(id, channel)));
    return s;
  }

  /**
   * Starts recording changes. Called after preload: what preload read is the store's truth and
   * stays whatever becomes of the batch.
   */
  begin(): void {
    this.epoch++;
    this.before = [];
    this.lastSeen.begin();
    this.lastGasp.begin();
  }

  /** Call before changing a series within a batch: the first call keeps it as it was. */
  touch(s: Series): void {
    if (!this.before || s.epoch === this.epoch) return;
    s.epoch = this.epoch;
    this.before.push({ series: s, vee: s.vee, pq: s.pq, anomaly: s.anomaly, anomalySign: s.anomalySign });
    s.anomaly = s.anomaly.slice(); // the kept array stays as it was
  }

  /**
   * Forgets the series of partitions this processor no longer owns, as a restart would: their
   * last-seen and last-gasp times (their meters would look silent to outage detection once the
   * watermark moves on), VEE history (read again from the store should the partition come
   * back), and anomaly and power-quality windows. Those would go stale while another processor
   * owns the partition, and on a scale-out every processor would keep every series it ever had.
   * Called between batches only (ProcessorCore.keepPartitions), so nothing is journaled.
   */
  forgetPartitions(gone: ReadonlySet<number>): void {
    for (const [id, channels] of this.all) {
      for (const [channel, s] of channels) {
        if (!gone.has(s.partition)) continue;
        channels.delete(channel);
        this.lastSeen.delete(id);
        this.lastGasp.delete(id);
      }
      if (channels.size === 0) this.all.delete(id);
    }
  }

  /** Series held in memory (meter channels and sensors). */
  size(): number {
    let n = 0;
    for (const channels of this.all.values()) n += channels.size;
    return n;
  }

  /** The batch is stored: its changes stay. */
  commit(): void {
    this.before = undefined;
    this.lastSeen.commit();
    this.lastGasp.commit();
  }

  /** The batch was not stored: every change since begin() is undone. */
  rollback(): void {
    for (const b of this.before ?? []) {
      b.series.vee = b.vee;
      b.series.pq = b.pq;
      b.series.anomaly = b.anomaly;
      b.series.anomalySign = b.anomalySign;
    }
    this.before = undefined;
    this.lastSeen.rollback();
    this.lastGasp.rollback();
  }

  /**
   * Loads VEE history from the store for meter channels not loaded since start, in batched
   * reads (a fresh processor meets thousands of series in its first batches). A series counts
   * as loaded only once its read succeeded, so a batch retried after a store failure loads it
   * again. Resolves to the holes VEE would have estimated in each history (see holesIn), with
   * their estimates, received at `now`.
   */
  async preload(store: StoreWriter, series: Iterable<Series>, now: number): Promise<Hole[]> {
    const todo = [...new Set(series)].filter((s) => !s.loaded);
    const holes: Hole[] = [];
    for (let i = 0; i < todo.length; i += PRELOAD_CHUNK) {
      const chunk = todo.slice(i, i + PRELOAD_CHUNK);
      const histories = await store.recentReadings(
        chunk.map((s) => ({ meterId: s.id, obis: s.channel })),
        HISTORY,
      );
      chunk.forEach((s, j) => {
        const rows = histories[j] ?? [];
        this.apply(s, rows);
        const estimates = holesIn(rows, now);
        if (estimates.length > 0) holes.push({ series: s, estimates });
        s.loaded = true;
      });
    }
    return holes;
  }

  private apply(s: Series, rows: StoredMeterReading[]): void {
    const last = rows.at(-1);
    if (!last) return;
    let repeats = 1;
    for (let i = rows.length - 2; i >= 0 && rows[i]!.value === last.value && last.value !== 0; i--) repeats++;
    s.vee = {
      lastStart: last.intervalStart,
      lastValue: last.value,
      intervalSeconds: last.intervalSeconds,
      repeats,
      recent: ValueWindow.of(rows.map((r) => r.value)),
    };
    this.lastSeen.set(
      s.id,
      Math.max(this.lastSeen.get(s.id) ?? 0, last.intervalStart + last.intervalSeconds * 1000),
    );
  }
}

/** Slots missing inside a series' stored history, with the estimates VEE makes for them. */
export interface Hole {
  series: Series;
  estimates: MeterReading[];
}

/**
 * Estimates for the holes in a stored history (oldest first) that VEE bridges: up to
 * maxEstimateGapMs between two readings of one interval length. VEE estimates such a gap when
 * it meets it, so a hole here lost its estimates: a gap was parked (parked-gaps.ts) when its
 * processor died. It can also be what a late reading left of a longer gap, too long to estimate
 * when it was met; that gets estimated here too, as it would have been had the readings come
 * in order. Only the newest HISTORY readings are looked at.
 */
export function holesIn(rows: readonly StoredMeterReading[], now: number): MeterReading[] {
  const out: MeterReading[] = [];
  for (let i = 1; i < rows.length; i++) {
    const before = rows[i - 1]!;
    const after = rows[i]!;
    const intervalMs = after.intervalSeconds * 1000;
    if (!(intervalMs > 0) || after.intervalSeconds !== before.intervalSeconds) continue;
    // As applyVee counts them: slots on the earlier reading's grid.
    const missing = Math.ceil((after.intervalStart - before.intervalStart) / intervalMs) - 1;
    if (missing <= 0 || missing * intervalMs > DEFAULT_VEE.maxEstimateGapMs) continue;
    const next = { ...after, receivedAt: now };
    out.push(
      ...linearEstimates({ lastStart: before.intervalStart, lastValue: before.value }, next, after.value),
    );
  }
  return out;
}
