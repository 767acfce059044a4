// Multi-interval faults (outage, overload, theft, frozen, voltage-sag). Each is planned when it
// starts, from a random stream of its own keyed by (seed, kind, interval), and journaled then
// with its planned end, so the journal is complete even if the run stops mid-episode.
import { FAULT_KINDS, type FaultKind, type FaultRecord } from './faults.ts';
import type { FleetModel } from './fleet-model.ts';
import { POWER_FACTOR } from './fleet.ts';
import { localTime } from './load-shapes.ts';
import { baseKwh, intervalShape, loadingOf, SALT } from './meter-values.ts';
import { intBetween, rngFor, type Rng } from './prng.ts';
import { INTERVAL_MS, iso, round3 } from './wire.ts';

export interface OutageEpisode {
  /** Interval in which power is lost; its reading is the last gasp. */
  gaspIdx: number;
  /** When power is lost (sensors stop), inside the gasp interval. */
  offAtMs: number;
  /** First interval with power back; meters are silent in between. */
  endIdx: number;
}
export interface FactorEpisode {
  endIdx: number;
  factor: number;
}
export interface FrozenEpisode {
  endIdx: number;
  /** The value repeated; fixed by the first reading of the episode. */
  value: number | undefined;
}

const EPISODE_KINDS: readonly FaultKind[] = ['outage', 'overload', 'theft', 'frozen', 'voltage-sag'];
const OVERLOAD_CANDIDATES = 16;
/** Local 16:30-20:30, when households peak: 16 intervals a day. */
const OVERLOAD_WINDOW_INTERVALS = 16;
function inOverloadWindow(idx: number): boolean {
  const hour = localTime(idx * INTERVAL_MS).hour;
  return hour >= 16.5 && hour < 20.5;
}
/** A sustained sag at ~85 % spans sample minutes 4..14 of its interval: ten minutes. */
export const SAG_DIP_MINUTES = [0, 1, 2];
export const SAG_SUSTAINED_MINUTES = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

export class EpisodeBook {
  readonly outages = new Map<number, OutageEpisode>();
  readonly overloads = new Map<number, FactorEpisode>();
  readonly thefts = new Map<number, FactorEpisode>();
  readonly frozen = new Map<number, FrozenEpisode>();
  /** Transformers whose voltage sags in the current interval. */
  readonly sags = new Set<number>();
  private readonly model: FleetModel;
  private readonly rates: Map<FaultKind, number>;
  private readonly record: (r: FaultRecord) => void;

  constructor(model: FleetModel, rates: Map<FaultKind, number>, record: (r: FaultRecord) => void) {
    this.model = model;
    this.rates = rates;
    this.record = record;
  }

  /** Ends finished episodes and starts the ones due in interval `idx`. Call once per interval, in order. */
  plan(idx: number): void {
    for (const [k, e] of this.outages) if (e.endIdx <= idx) this.outages.delete(k);
    for (const map of [this.overloads, this.thefts, this.frozen]) {
      for (const [k, e] of map) if (e.endIdx <= idx) map.delete(k);
    }
    this.sags.clear();
    for (const kind of EPISODE_KINDS) {
      const perDay = this.rates.get(kind);
      if (perDay === undefined || perDay <= 0) continue;
      // Overloads happen in the evening peak (heat pumps, EV charging); the rest any time.
      const window = kind === 'overload' ? OVERLOAD_WINDOW_INTERVALS : 96;
      if (kind === 'overload' && !inOverloadWindow(idx)) continue;
      const rng = rngFor(this.model.seed, SALT.episode + FAULT_KINDS.indexOf(kind), idx);
      // Expected perDay/window starts per eligible interval; the integer part always happens.
      const expected = perDay / window;
      const count = Math.floor(expected) + (rng() < expected % 1 ? 1 : 0);
      for (let i = 0; i < count; i++) this.start(kind, idx, rng);
    }
  }

  private start(kind: FaultKind, idx: number, rng: Rng): void {
    const m = this.model;
    const startMs = idx * INTERVAL_MS;
    const pickTx = (ok: (tx: number) => boolean): number | undefined =>
      pick(rng, m.txIds.length, (tx) => m.txMeters[tx]!.length > 0 && ok(tx));
    const txFree = (tx: number): boolean =>
      !this.outages.has(tx) && !this.overloads.has(tx) && !m.txMeters[tx]!.some((x) => this.frozen.has(x));
    if (kind === 'outage') {
      const tx = pickTx(txFree);
      if (tx === undefined) return;
      const silent = intBetween(rng, 4, 16);
      const offAtMs = startMs + intBetween(rng, 1, 14) * 60_000;
      const ep = { gaspIdx: idx, offAtMs, endIdx: idx + 1 + silent };
      this.outages.set(tx, ep);
      this.record({
        kind,
        transformerId: m.txIds[tx],
        start: iso(offAtMs),
        end: iso(ep.endIdx * INTERVAL_MS),
        detail: `${m.txMeters[tx]!.length} meters send last_gasp for ${iso(startMs)}, then silent for ${silent * 15} min`,
      });
    } else if (kind === 'overload') {
      this.startOverload(idx, rng, txFree);
    } else if (kind === 'theft') {
      const meter = pick(rng, m.meterIds.length, (x) => !this.thefts.has(x));
      if (meter === undefined) return;
      const days = intBetween(rng, 2, 5);
      const factor = round3(0.08 + 0.04 * rng());
      this.thefts.set(meter, { endIdx: idx + days * 96, factor });
      this.record({
        kind,
        meterId: m.meterIds[meter],
        transformerId: m.txIds[m.meterTx[meter]!],
        start: iso(startMs),
        end: iso((idx + days * 96) * INTERVAL_MS),
        detail: `metered consumption x${factor} for ${days} days; the transformer still delivers the full load`,
      });
    } else if (kind === 'frozen') {
      const meter = pick(
        rng,
        m.meterIds.length,
        (x) => !this.frozen.has(x) && !this.outages.has(m.meterTx[x]!),
      );
      if (meter === undefined) return;
      const n = intBetween(rng, 4, 8);
      this.frozen.set(meter, { endIdx: idx + n, value: undefined });
      this.record({
        kind,
        meterId: m.meterIds[meter],
        start: iso(startMs),
        end: iso((idx + n) * INTERVAL_MS),
        detail: `same value repeated for ${n} intervals`,
      });
    } else if (kind === 'voltage-sag') {
      const tx = pickTx((t) => !this.outages.has(t) && !this.sags.has(t) && m.txVoltageSensor[t]! >= 0);
      if (tx === undefined) return;
      this.sags.add(tx);
      const sensorId = m.sensors[m.txVoltageSensor[tx]!]!.id;
      const at = (minute: number): string => iso(startMs + minute * 60_000);
      const base = { kind, transformerId: m.txIds[tx], sensorId } as const;
      this.record({ ...base, start: at(0), end: at(3), detail: 'dip: 3 samples at 87-89 % of 230 V' });
      this.record({ ...base, start: at(4), end: at(15), detail: 'sustained: 10 minutes at ~85 % of 230 V' });
    }
  }

  /**
   * Overload picks the busiest of a few candidate transformers over the episode window and
   * scales its meters by 1.5, or a little more when 1.5x would still stay under 110 % of the
   * rating (a lightly loaded transformer), so an overload detector always has something to find.
   */
  private startOverload(idx: number, rng: Rng, txFree: (tx: number) => boolean): void {
    const m = this.model;
    const n = intBetween(rng, 4, 12);
    let best: { tx: number; peak: number } | undefined;
    for (let c = 0; c < OVERLOAD_CANDIDATES; c++) {
      const tx = pick(rng, m.txIds.length, (t) => m.txMeters[t]!.length > 0 && txFree(t));
      if (tx === undefined) continue;
      let peak = 0;
      for (let k = idx; k < idx + n; k++) {
        const shape = intervalShape(k);
        let kw = 0;
        for (const meter of m.txMeters[tx]!) kw += baseKwh(m, meter, k, shape) * 4;
        peak = Math.max(peak, loadingOf(m, tx, kw, POWER_FACTOR));
      }
      if (!best || peak > best.peak) best = { tx, peak };
    }
    if (!best) return;
    const factor = round3(Math.max(1.5, 1.1 / best.peak));
    this.overloads.set(best.tx, { endIdx: idx + n, factor });
    this.record({
      kind: 'overload',
      transformerId: m.txIds[best.tx],
      start: iso(idx * INTERVAL_MS),
      end: iso((idx + n) * INTERVAL_MS),
      detail: `meters x${factor}; peak loading ~${Math.round(best.peak * factor * 100)} % of ${m.txKva[best.tx]} kVA`,
    });
  }
}

/** A random index satisfying `ok`, trying a few random draws before giving up. */
function pick(rng: Rng, size: number, ok: (i: number) => boolean): number | undefined {
  if (size === 0) return undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const i = Math.floor(rng() * size);
    if (ok(i)) return i;
  }
  return undefined;
}
