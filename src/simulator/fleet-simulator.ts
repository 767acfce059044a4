// Turns the fleet into wire items, interval by interval: true consumption (what the
// transformer delivers), what the meters report (after theft, frozen registers and reading
// faults), and transformer sensor samples derived from the true load.
import type { TopologyFile } from '../domain/topology.ts';
import { EpisodeBook } from './episodes.ts';
import { DEFAULT_FAULT_RATES, READING_FAULTS, type FaultKind, type FaultRecord } from './faults.ts';
import { buildFleetModel, type FleetModel } from './fleet-model.ts';
import { baseKwh, intervalShape, SALT } from './meter-values.ts';
import { eventUuid, rngFor } from './prng.ts';
import { sampleSensor } from './sensor-values.ts';
import {
  INTERVAL_MS,
  iso,
  meterItem,
  round3,
  type MeterWireItem,
  type SensorWireItem,
  type WireItem,
} from './wire.ts';

export interface FleetSimulatorOptions {
  seed: number;
  faults?: readonly FaultKind[];
  /** Overrides of DEFAULT_FAULT_RATES for enabled kinds. */
  faultRates?: Partial<Record<FaultKind, number>>;
  onFault?: (record: FaultRecord) => void;
  /** Records kept in `journal` (the oldest go first; onFault sees all); default 100 000. */
  journalLimit?: number;
}

export interface IntervalState {
  idx: number;
  /** kWh each meter's premises really consumed (overload in, theft not applied). */
  trueKwh: Float64Array;
  /** Mean kW each transformer delivered. */
  txKw: Float64Array;
}

export class FleetSimulator {
  readonly model: FleetModel;
  readonly journal: FaultRecord[] = [];
  private readonly episodes: EpisodeBook;
  /** Per-reading probabilities in draw order: gaps, spikes, negative, duplicates, clock-skew. */
  private readonly readingRate = [0, 0, 0, 0, 0];
  private readonly readingFaults: boolean;
  private readonly onFault: ((record: FaultRecord) => void) | undefined;
  private readonly journalLimit: number;
  private current: IntervalState | undefined;

  constructor(topology: TopologyFile, opts: FleetSimulatorOptions) {
    this.model = buildFleetModel(topology, opts.seed);
    this.onFault = opts.onFault;
    this.journalLimit = opts.journalLimit ?? 100_000;
    const episodeRates = new Map<FaultKind, number>();
    for (const kind of opts.faults ?? []) {
      const rate = opts.faultRates?.[kind] ?? DEFAULT_FAULT_RATES[kind];
      const slot = READING_FAULTS.indexOf(kind);
      if (slot >= 0) this.readingRate[slot] = rate;
      else episodeRates.set(kind, rate);
    }
    this.readingFaults = this.readingRate.some((rate) => rate > 0);
    this.episodes = new EpisodeBook(this.model, episodeRates, (r) => this.record(r));
  }

  private record(r: FaultRecord): void {
    // A demo left running for weeks must not grow without bound; trim in chunks, not per push.
    if (this.journal.length >= this.journalLimit) {
      this.journal.splice(0, this.journal.length - Math.floor(this.journalLimit / 2));
    }
    this.journal.push(r);
    this.onFault?.(r);
  }

  /**
   * State of interval `idx`, planning the episodes of every interval up to it first. Intervals
   * only move forward: episode state always describes the latest prepared interval.
   */
  prepare(idx: number): IntervalState {
    if (this.current && idx === this.current.idx) return this.current;
    if (this.current && idx < this.current.idx) {
      throw new RangeError(`interval ${iso(idx * INTERVAL_MS)} is behind the simulation`);
    }
    for (let k = this.current ? this.current.idx + 1 : idx; k <= idx; k++) {
      this.episodes.plan(k);
      this.current = this.computeState(k);
    }
    return this.current!;
  }

  private computeState(idx: number): IntervalState {
    const m = this.model;
    const shape = intervalShape(idx);
    const trueKwh = new Float64Array(m.meterIds.length);
    const txKw = new Float64Array(m.txIds.length);
    for (let i = 0; i < trueKwh.length; i++) {
      const tx = m.meterTx[i]!;
      let kwh = baseKwh(m, i, idx, shape);
      const overload = this.episodes.overloads.get(tx);
      if (overload) kwh *= overload.factor;
      const outage = this.episodes.outages.get(tx);
      if (outage && idx > outage.gaspIdx) kwh = 0;
      else if (outage) kwh *= (outage.offAtMs - idx * INTERVAL_MS) / INTERVAL_MS;
      trueKwh[i] = kwh;
      txKw[tx]! += kwh * 4;
    }
    return { idx, trueKwh, txKw };
  }

  /** What the meters send for interval `idx`; `nowMs` is "now" for clock-skew faults. Once per interval. */
  meterItems(idx: number, nowMs: number): MeterWireItem[] {
    const m = this.model;
    const st = this.prepare(idx);
    const startIso = iso(idx * INTERVAL_MS);
    const startSec = (idx * INTERVAL_MS) / 1000;
    const items: MeterWireItem[] = [];
    const resends: MeterWireItem[] = [];
    for (let i = 0; i < m.meterIds.length; i++) {
      const eventId = eventUuid(m.seed, SALT.event, m.meterHash[i]!, startSec);
      const outage = this.episodes.outages.get(m.meterTx[i]!);
      if (outage && idx === outage.gaspIdx) {
        items.push(meterItem(eventId, m.meterIds[i]!, m.customerIds[i]!, startIso, st.trueKwh[i]!, true));
        continue;
      }
      if (outage) continue; // no power, no reading
      const value = st.trueKwh[i]! * (this.episodes.thefts.get(i)?.factor ?? 1);
      const frozen = this.episodes.frozen.get(i);
      if (frozen) {
        frozen.value ??= round3(value);
        items.push(meterItem(eventId, m.meterIds[i]!, m.customerIds[i]!, startIso, frozen.value));
      } else if (this.readingFaults) {
        this.applyReadingFaults(i, idx, eventId, value, startIso, nowMs, items, resends);
      } else {
        items.push(meterItem(eventId, m.meterIds[i]!, m.customerIds[i]!, startIso, value));
      }
    }
    return items.concat(resends);
  }

  /** Gaps, spikes, negative, clock-skew and duplicates for one reading; each is journaled. */
  private applyReadingFaults(
    i: number,
    idx: number,
    eventId: string,
    value: number,
    startIso: string,
    nowMs: number,
    items: MeterWireItem[],
    resends: MeterWireItem[],
  ): void {
    const m = this.model;
    const r = this.readingRate;
    const startMs = idx * INTERVAL_MS;
    const [meterId, customerId] = [m.meterIds[i]!, m.customerIds[i]!];
    // Five decisions always drawn in this order, magnitudes after them: enabling one fault
    // never moves another's draws, and a clean reading is identical with faults on or off.
    const rng = rngFor(m.seed, SALT.reading, m.meterHash[i]!, idx);
    const [gap, spike, negative, dup, skew] = [rng(), rng(), rng(), rng(), rng()].map((u, k) => u < r[k]!);
    if (!(gap || spike || negative || dup || skew)) {
      items.push(meterItem(eventId, meterId, customerId, startIso, value));
      return;
    }
    const [u5, u6, u7, u8] = [rng(), rng(), rng(), rng()] as [number, number, number, number];
    const note = (kind: FaultKind, detail: string, id = eventId): void =>
      this.record({
        kind,
        meterId,
        start: iso(startMs),
        end: iso(startMs + INTERVAL_MS),
        detail,
        eventId: id,
      });
    if (gap) return note('gaps', 'reading not sent');
    if (spike) {
      const k = round3(8 + 22 * u5);
      value *= k;
      note('spikes', `value x${k} = ${round3(value)} kWh`);
    } else if (negative) {
      value = -(value + 0.05);
      note('negative', `value ${round3(value)} kWh`);
    }
    let sentStart = startMs;
    if (skew) {
      const ahead = u6 < 0.5;
      sentStart = ahead
        ? nowMs - (nowMs % INTERVAL_MS) + (4 + Math.floor(u7 * 20)) * INTERVAL_MS
        : startMs + (30 + Math.floor(u7 * 840)) * 1000;
      note(
        'clock-skew',
        `interval_start sent as ${iso(sentStart)} (${ahead ? 'ahead of now' : 'off the 15-minute grid'})`,
      );
    }
    const item = meterItem(eventId, meterId, customerId, skew ? iso(sentStart) : startIso, value);
    items.push(item);
    if (!dup) return;
    // Mostly a plain resend (same event_id); sometimes a "corrected" value under a new id.
    if (u8 < 0.3) {
      const changed = value * 1.2;
      const resendId = eventUuid(m.seed, SALT.resend, m.meterHash[i]!, startMs / 1000);
      resends.push(meterItem(resendId, meterId, customerId, item.interval_start, changed));
      note('duplicates', `resent with value ${round3(changed)} kWh`, resendId);
    } else {
      resends.push({ ...item });
      note('duplicates', 'resent unchanged (same event_id)');
    }
  }

  /** Every sensor's sample at `ts` (silent where the transformer has no power). */
  sensorItems(ts: number): SensorWireItem[] {
    const st = this.prepare(Math.floor(ts / INTERVAL_MS));
    const items: SensorWireItem[] = [];
    const tsIso = iso(ts);
    for (let s = 0; s < this.model.sensors.length; s++) {
      const item = sampleSensor(this.model, this.episodes, st, s, ts, tsIso);
      if (item) items.push(item);
    }
    return items;
  }

  /** Extra one-minute voltage samples of transformers sagging in `idx`, for 15-minute backfill. */
  sagSamples(idx: number): SensorWireItem[] {
    const st = this.prepare(idx);
    const items: SensorWireItem[] = [];
    for (const tx of this.episodes.sags) {
      for (let minute = 1; minute < 15; minute++) {
        const ts = idx * INTERVAL_MS + minute * 60_000;
        const item = sampleSensor(
          this.model,
          this.episodes,
          st,
          this.model.txVoltageSensor[tx]!,
          ts,
          iso(ts),
        );
        if (item) items.push(item);
      }
    }
    return items;
  }

  /** Backfill of one interval: sensors at its start (plus sag detail), then the meters. */
  backfillItems(idx: number, nowMs: number): WireItem[] {
    const sensors: WireItem[] = this.sensorItems(idx * INTERVAL_MS);
    return sensors.concat(this.sagSamples(idx), this.meterItems(idx, nowMs));
  }
}
