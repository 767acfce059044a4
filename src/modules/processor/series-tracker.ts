// Per-series state the processor keeps between batches: VEE history per (meter, channel),
// anomaly windows per series, power-quality windows per sensor, and last-seen / last-gasp times
// for outage detection. Lost on restart by design: VEE history is reloaded from the store on
// first sight of a series, the rest rebuilds from the stream. Changes made while processing a
// batch are journaled, so a batch whose store write failed can be undone and met afresh.
import type { SeriesState } from '../../domain/vee.ts';
import type { AnomalyState } from '../../domain/anomaly.ts';
import type { PqState } from '../../domain/power-quality.ts';
import type { SeriesKey, StoreWriter, StoredMeterReading } from '../../adapters/store/store.ts';
import { JournaledMap } from './journaled-map.ts';
import { ValueWindow } from '../../domain/value-window.ts';

const HISTORY = 16;
/** Series per history read: one statement's arrays stay small, and progress is kept per chunk. */
const PRELOAD_CHUNK = 2000;

export class SeriesTracker {
  readonly vee = new JournaledMap<string, SeriesState>();
  readonly anomaly = new JournaledMap<string, AnomalyState>();
  /** Length of the current anomalous run per series, signed by its direction (0: normal). */
  readonly anomalySign = new JournaledMap<string, number>();
  readonly pq = new JournaledMap<string, PqState>();
  readonly lastSeen = new JournaledMap<string, number>();
  readonly lastGasp = new JournaledMap<string, number>();
  private readonly loaded = new Set<string>();
  private readonly journaled = [
    this.vee,
    this.anomaly,
    this.anomalySign,
    this.pq,
    this.lastSeen,
    this.lastGasp,
  ];

  /**
   * Starts journaling changes. Called after preload: what preload read is the store's truth and
   * stays whatever becomes of the batch.
   */
  begin(): void {
    for (const m of this.journaled) m.begin();
  }

  /** The batch is stored: its changes stay. */
  commit(): void {
    for (const m of this.journaled) m.commit();
  }

  /** The batch was not stored: every change since begin() is undone. */
  rollback(): void {
    for (const m of this.journaled) m.rollback();
  }

  /**
   * Loads VEE history from the store for series seen for the first time since start, in
   * batched reads (a fresh processor meets thousands of series in its first batches). A series
   * counts as loaded only once its read succeeded, so a batch retried after a store failure
   * loads it again.
   */
  async preload(store: StoreWriter, series: Iterable<[string, string]>): Promise<void> {
    const todo: SeriesKey[] = [];
    const keys: string[] = [];
    const queued = new Set<string>();
    for (const [meterId, obis] of series) {
      const key = `${meterId}|${obis}`;
      if (this.loaded.has(key) || queued.has(key)) continue;
      queued.add(key);
      todo.push({ meterId, obis });
      keys.push(key);
    }
    for (let i = 0; i < todo.length; i += PRELOAD_CHUNK) {
      const chunk = todo.slice(i, i + PRELOAD_CHUNK);
      const histories = await store.recentReadings(chunk, HISTORY);
      chunk.forEach((s, j) => {
        this.apply(keys[i + j]!, s.meterId, histories[j] ?? []);
        this.loaded.add(keys[i + j]!);
      });
    }
  }

  private apply(key: string, meterId: string, rows: StoredMeterReading[]): void {
    const last = rows.at(-1);
    if (!last) return;
    let repeats = 1;
    for (let i = rows.length - 2; i >= 0 && rows[i]!.value === last.value && last.value !== 0; i--) repeats++;
    this.vee.set(key, {
      lastStart: last.intervalStart,
      lastValue: last.value,
      intervalSeconds: last.intervalSeconds,
      repeats,
      recent: ValueWindow.of(rows.map((r) => r.value)),
    });
    this.lastSeen.set(
      meterId,
      Math.max(this.lastSeen.get(meterId) ?? 0, last.intervalStart + last.intervalSeconds * 1000),
    );
  }
}
