// Gap estimates wait one batch before they are stored. Clients posting concurrently deliver
// interval t+1 before t now and then; when the two land in different batches, an estimate for t
// made at once is stored, then replaced by the real reading a moment later. That is a 'gap'
// finding for what merely crossed on the wire (VEE alerts count them), an estimate written and
// then rewritten (in PostgreSQL a non-HOT UPDATE per reading, and a lock on it), and rollup
// deltas twice. A gap found in one batch is therefore parked with its estimates; late readings
// of the next batch take their slots back, and what is still missing at the end of that batch
// is estimated then, as VEE made it.
//
// Parked estimates live in memory only. A processor that stops, or finds its bus idle for a
// while (no next batch is coming soon), stores them at once (ProcessorCore.flushParked). One
// that dies with a gap parked leaves a hole in the store; the next processor to load that
// series' history finds it there and parks it again (holesIn in series-tracker.ts).
import type { MeterReading } from '../../domain/readings.ts';
import { JournaledMap } from './journaled-map.ts';
import type { Hole, Series } from './series-tracker.ts';

interface Parked {
  /** The batch (counted by begin()) that found the gap. */
  readonly foundIn: number;
  /** Parking order: a batch undone and met again releases in the same order. */
  readonly seq: number;
  /** Its estimates still missing a real reading, in slot order. */
  readonly estimates: readonly MeterReading[];
}

/** What a batch releases: estimates to store, and how many gaps they fill. */
export interface Released {
  estimates: MeterReading[];
  gaps: number;
}

export class ParkedGaps {
  /** Journaled with the batch: a batch that is not stored leaves nothing parked or released. */
  private readonly parked = new JournaledMap<Series, Parked>();
  private batch = 0;
  private seq = 0;

  /** Starts a batch; every change until commit() or rollback() belongs to it. */
  begin(): void {
    this.batch++;
    this.parked.begin();
  }

  commit(): void {
    this.parked.commit();
  }

  rollback(): void {
    this.parked.rollback();
  }

  /**
   * Parks a gap's estimates. A gap still parked in the series is released first (into `out`):
   * two gaps in one series are far apart enough that waiting gains nothing.
   */
  park(series: Series, estimates: readonly MeterReading[], out: Released): void {
    this.release(series, out);
    this.parked.set(series, { foundIn: this.batch, seq: ++this.seq, estimates });
  }

  /**
   * Parks the holes found in histories just loaded (SeriesTracker.preload), so a late reading of
   * this batch still takes its slot. The stored history has no customer ids: `customerOf` gives
   * the meter's, from the topology.
   */
  parkHoles(
    holes: readonly Hole[],
    customerOf: (meterId: string) => string | undefined,
    out: Released,
  ): void {
    for (const h of holes) {
      const customerId = customerOf(h.series.id);
      const estimates =
        customerId === undefined ? h.estimates : h.estimates.map((e) => ({ ...e, customerId }));
      this.park(h.series, estimates, out);
    }
  }

  /**
   * A real reading arrived for a slot: its estimate is no longer wanted. True when the slot was
   * parked, that is, this processor saw it missing: nothing of its own holds that key.
   */
  fill(series: Series, intervalStart: number): boolean {
    const p = this.parked.get(series);
    if (!p) return false;
    const estimates = p.estimates.filter((e) => e.intervalStart !== intervalStart);
    if (estimates.length === p.estimates.length) return false;
    if (estimates.length === 0) this.parked.delete(series);
    else this.parked.set(series, { ...p, estimates });
    return true;
  }

  /** Releases every gap found in an earlier batch than this one, in the order they were parked. */
  releaseDue(out: Released): void {
    this.releaseWhere((p) => p.foundIn < this.batch, out);
  }

  /** True when a gap waits for its next batch. */
  any(): boolean {
    return this.parked.size > 0;
  }

  /** Releases every parked gap, in parking order (a stop: the next owner cannot know them). */
  releaseAll(out: Released): void {
    this.releaseWhere(() => true, out);
  }

  private releaseWhere(due: (p: Parked) => boolean, out: Released): void {
    // Not in map order: undoing a batch re-inserts the entries it had deleted, at the end.
    const picked = [...this.parked].filter(([, p]) => due(p));
    picked.sort((a, b) => a[1].seq - b[1].seq);
    for (const [series] of picked) this.release(series, out);
  }

  private release(series: Series, out: Released): void {
    const p = this.parked.get(series);
    if (!p) return;
    this.parked.delete(series);
    out.estimates.push(...p.estimates);
    out.gaps++;
  }
}
