// One batch of bus records -> VEE, power quality, anomalies, outages -> one store write.
// Everything derived here is idempotent under replay: readings by key, events by id, rollups by
// the store from really-inserted rows.
import { applyVee, DEFAULT_VEE } from '../../domain/vee.ts';
import { OBIS, Quality, type MeterReading, type Reading } from '../../domain/readings.ts';
import type { Topology } from '../../domain/topology.ts';
import type { GridEvent } from '../../domain/events.ts';
import type { ConsumedRecord } from '../../adapters/bus/bus.ts';
import { decodeReading } from '../../adapters/bus/reading-codec.ts';
import type { StoreBatch, StoreWriteResult, StoreWriter } from '../../adapters/store/store.ts';
import { SeriesTracker, type Series } from './series-tracker.ts';
import { seriesOf, timeOf } from './series-of.ts';
import { JournaledMap } from './journaled-map.ts';
import { eventsAfterWrite } from './write-events.ts';
import { ParkedGaps, type Released } from './parked-gaps.ts';
import { anomalyFinding, outageEvents, sensorFindings } from './series-findings.ts';
import { emptyStats, type BatchStats } from './batch-stats.ts';

export interface DeadLetter {
  record: ConsumedRecord;
  reason: string;
}

/**
 * Thrown when a stop was requested while a batch was being worked out, before its store write.
 * The batch is dropped (its state changes undone, its offsets not committed): the bus delivers
 * it again after the restart. A shutdown then waits for one store write at most, not for a
 * whole batch of work, which at nice 10 on a loaded machine can outlast the grace period.
 */
export class StopRequested extends Error {
  constructor() {
    super('stop requested before the store write');
  }
}

/** Readings between two looks at the stop flag: a look is an atomic load, cheap but not free. */
const STOP_CHECK_EVERY = 1024;

export class ProcessorCore {
  private readonly topology: Topology;
  private readonly store: StoreWriter;
  private readonly state = new SeriesTracker();
  private readonly gaps = new ParkedGaps();
  private watermark: number | null = null;
  /** Passes of seriesOf, to tell a pass's marks on a series (seenIn) from older ones. */
  private orderChecks = 0;
  /** Newest interval end seen per bus partition; their minimum is the low watermark. */
  private readonly partitionHigh = new JournaledMap<number, number>();
  /** Series whose loaded history had holes, parked by the batch in progress. */
  private repairing: Series[] = [];

  constructor(topology: Topology, store: StoreWriter) {
    this.topology = topology;
    this.store = store;
  }

  /** Overloads and duplicate conflicts, derived by the store inside the batch's transaction. */
  private readonly deriveEvents = (result: StoreWriteResult): GridEvent[] =>
    eventsAfterWrite(result, this.topology);

  /**
   * Processes and stores one batch. When anything fails, the state is put back as it was before
   * the batch, so the bus can deliver the same batch again and it is judged the same way.
   */
  async process(
    records: ConsumedRecord[],
    stopRequested: () => boolean = () => false,
  ): Promise<{ stats: BatchStats; dead: DeadLetter[] }> {
    const watermark = this.watermark;
    this.repairing = [];
    this.partitionHigh.begin();
    try {
      const out = await this.processOnce(records, stopRequested);
      this.partitionHigh.commit();
      this.state.commit();
      this.gaps.commit();
      return out;
    } catch (err) {
      for (const s of this.repairing) s.loaded = false;
      this.watermark = watermark;
      this.partitionHigh.rollback();
      this.state.rollback();
      this.gaps.rollback();
      throw err;
    }
  }

  /**
   * Called with the partitions this processor owns before each batch, where the bus moves them
   * (Kafka): forgets the ones it lost. Their newest times would hold the low watermark back for
   * ever, hiding every outage on the partitions it still has, and their meters' last-seen times
   * would look silent once it moves on (false outages).
   */
  keepPartitions(owned: readonly number[]): void {
    const keep = new Set(owned);
    const gone = new Set([...this.partitionHigh.keys()].filter((p) => !keep.has(p)));
    if (gone.size === 0) return;
    for (const p of gone) this.partitionHigh.delete(p);
    this.state.forgetPartitions(gone);
  }

  /** True when gap estimates wait in memory for the next batch (see flushParked). */
  hasParked(): boolean {
    return this.gaps.any();
  }

  /**
   * Stores the estimates of every parked gap now, as late writes: on a stop, whoever owns the
   * partitions next does not know them, and the slots would stay missing. Resolves to the
   * write's stats, or undefined when nothing was parked. On failure the gaps stay parked.
   */
  async flushParked(): Promise<BatchStats | undefined> {
    const released: Released = { estimates: [], gaps: 0 };
    this.gaps.begin();
    this.gaps.releaseAll(released);
    if (released.gaps === 0) {
      this.gaps.commit();
      return undefined;
    }
    const started = performance.now();
    try {
      const result = await this.store.writeBatch({
        meterReadings: released.estimates,
        sensorReadings: [],
        unknown: [],
        events: [],
        late: new Set(released.estimates),
        deriveEvents: this.deriveEvents,
      });
      this.gaps.commit();
      const ms = performance.now() - started;
      return {
        ...emptyStats(0),
        inserted: result.inserted,
        events: countByType(result.derivedEvents),
        vee: { gap: released.gaps, estimated: released.estimates.length },
        watermark: this.watermark,
        durationMs: ms,
        storeMs: ms,
      };
    } catch (err) {
      this.gaps.rollback();
      throw err;
    }
  }

  private async processOnce(
    records: ConsumedRecord[],
    stopRequested: () => boolean,
  ): Promise<{ stats: BatchStats; dead: DeadLetter[] }> {
    const started = performance.now();
    const stats = emptyStats(records.length);
    const dead: DeadLetter[] = [];
    const lateReadings = new Set<MeterReading>();
    const batch: StoreBatch = {
      meterReadings: [],
      sensorReadings: [],
      unknown: [],
      events: [],
      late: lateReadings,
    };
    const readings: Reading[] = [];
    const partitions: number[] = [];
    // Indexed, like nextOffsets (processor-loop.ts): no iterator result per record.
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      try {
        const r = decodeReading(record.value);
        readings.push(r);
        partitions.push(record.partition);
        if (r.kind === 'meter') this.advancePartition(record.partition, r);
      } catch (err) {
        dead.push({ record, reason: `undecodable: ${(err as Error).message}` });
      }
    }
    const found = seriesOf(this.topology, this.state, readings, ++this.orderChecks, partitions);
    let { series, meterSeries } = found;
    // A batch is one moment of arrival: within it each series is judged in time order. Clients
    // posting concurrently deliver interval t+1 before t now and then; judged in arrival order
    // that is a gap (estimated, then replaced by the late real reading: a conflict path in the
    // store) for what merely crossed on the wire. Usually every series already is in order (a
    // series lives on one partition, in publish order), and the sort is skipped: across series
    // the order changes nothing but the order of additions in rollup sums. The sort is stable,
    // so a resent key keeps its arrival order and the first copy still wins.
    if (!found.ordered) {
      readings.sort((a, b) => timeOf(a) - timeOf(b));
      ({ series, meterSeries } = seriesOf(this.topology, this.state, readings, ++this.orderChecks));
    }
    const holes = await this.state.preload(this.store, meterSeries, Date.now());
    this.state.begin();
    this.gaps.begin();
    const released: Released = { estimates: [], gaps: 0 };
    // Holes in a history just loaded: gaps a processor parked and died with (parked-gaps.ts).
    // A batch that fails unparks them with everything else; their series are read again then.
    this.repairing = holes.map((h) => h.series);
    stats.holes = holes.length;
    this.gaps.parkHoles(holes, (meterId) => this.topology.meterById.get(meterId)?.customer_id, released);
    for (let i = 0; i < readings.length; i++) {
      if (i % STOP_CHECK_EVERY === 0 && stopRequested()) throw new StopRequested();
      const r = readings[i]!;
      const s = series[i];
      if (!s) batch.unknown.push(r);
      else if (r.kind === 'meter') this.meter(r, s, batch, stats, lateReadings, released);
      else {
        batch.sensorReadings.push(r);
        this.state.touch(s);
        batch.events.push(...sensorFindings(r, s, this.topology));
      }
    }
    this.gaps.releaseDue(released);
    if (released.gaps > 0) {
      stats.vee.gap = (stats.vee.gap ?? 0) + released.gaps;
      stats.vee.estimated = (stats.vee.estimated ?? 0) + released.estimates.length;
      // Behind their series' newest reading now, so they go the way of late readings: a key
      // stored meanwhile (a replay) is resolved, not a failed bulk insert.
      for (const e of released.estimates) {
        batch.meterReadings.push(e);
        lateReadings.add(e);
      }
    }
    if (this.partitionHigh.size > 0) {
      // The low watermark: see outageEvents.
      const outages = outageEvents(this.topology, this.state, Math.min(...this.partitionHigh.values()));
      stats.outagesActive = outages.length;
      batch.events.push(...outages);
    }
    if (this.watermark !== null) batch.watermark = this.watermark;
    if (stopRequested()) throw new StopRequested();
    batch.deriveEvents = this.deriveEvents;
    const writeStarted = performance.now();
    const result = await this.store.writeBatch(batch);
    stats.storeMs = performance.now() - writeStarted;
    stats.events = countByType([...batch.events, ...result.derivedEvents]);
    stats.unknown = batch.unknown.length;
    stats.sensors = batch.sensorReadings.length;
    stats.inserted = result.inserted;
    stats.dead = dead.length;
    stats.watermark = this.watermark;
    stats.durationMs = performance.now() - started;
    return { stats, dead };
  }

  private meter(
    r: MeterReading,
    s: Series,
    batch: StoreBatch,
    stats: BatchStats,
    late: Set<MeterReading>,
    released: Released,
  ): void {
    stats.meters++;
    const end = r.intervalStart + r.intervalSeconds * 1000;
    const seen = this.state.lastSeen.get(s.id);
    if (seen === undefined || end > seen) this.state.lastSeen.set(s.id, Math.max(seen ?? 0, end));
    if (r.quality & Quality.LAST_GASP) this.state.lastGasp.set(s.id, end);
    // Readings far ahead of their receive time are clock faults, not the grid's "now".
    if (end <= r.receivedAt + DEFAULT_VEE.maxClockAheadMs)
      this.watermark = Math.max(this.watermark ?? end, end);
    this.state.touch(s);
    const prev = s.vee;
    const result = applyVee(r, prev);
    s.vee = result.state;
    // A gap with estimates is counted when they are released (parked-gaps.ts), if any remain.
    const parking = result.estimates.length > 0;
    // Indexed: for-of allocated an iterator per reading here, findings or not (sampled).
    for (let k = 0; k < result.findings.length; k++) {
      const rule = result.findings[k]!.rule;
      if (!parking || rule !== 'gap') stats.vee[rule] = (stats.vee[rule] ?? 0) + 1;
    }
    if (parking) this.gaps.park(s, result.estimates, released);
    batch.meterReadings.push(result.reading);
    // At or before the series' newest interval: its key may be stored (see StoreBatch.late),
    // unless it fills a slot this processor saw missing. Even then another writer (a processor
    // that lost the partition and does not know it yet) may have stored it; the store's bulk
    // insert then fails on the key and the batch takes the merge path, so that stays correct.
    if (prev && r.intervalStart <= prev.lastStart && !this.gaps.fill(s, r.intervalStart))
      late.add(result.reading);
    if (r.obis !== OBIS.ACTIVE_IMPORT || result.reading.quality & (Quality.EDITED | Quality.DUPLICATE))
      return;
    const anomaly = anomalyFinding(s, 'meter', r.meterId, r.intervalStart, result.reading.value);
    if (anomaly) batch.events.push(anomaly);
  }

  private advancePartition(partition: number, r: MeterReading): void {
    const end = r.intervalStart + r.intervalSeconds * 1000;
    if (end > r.receivedAt + DEFAULT_VEE.maxClockAheadMs) return;
    if (end > (this.partitionHigh.get(partition) ?? -Infinity)) this.partitionHigh.set(partition, end);
  }
}

function countByType(events: readonly GridEvent[]): BatchStats['events'] {
  const counts: BatchStats['events'] = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
