// The synthetic grid: substations -> feeders -> transformers -> meters, with sensors on every
// transformer. The same (seed, meters, layout) always yields the same fleet, so the server can
// load the topology file the simulator wrote, or regenerate it, and agree with the readings.
import type { Meter, MeterClass, Sensor, TopologyFile, Transformer } from '../domain/topology.ts';
import { commercialShare, householdKw, localTime } from './load-shapes.ts';
import { hashString, mulberry32, normal } from './prng.ts';
import { roundTo } from '../domain/decimals.ts';

export interface FleetOptions {
  meters: number;
  seed: number;
  metersPerTransformer?: number;
  transformersPerFeeder?: number;
  feedersPerSubstation?: number;
  /** Fraction of meters that are commercial sites (0..1). */
  commercialShare?: number;
}

/** IEC R10 preferred ratings; fine steps keep peak loading between ~55 % and 80 %. */
export const KVA_RATINGS = [
  25, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
];
export const POWER_FACTOR = 0.95;
/** Normal peak loading stays under this share of the rating. */
export const SIZING_LOADING = 0.8;
export const LV_VOLTS = 400; // line-to-line on the secondary side
/** Sigma of the multiplicative log-normal noise on each interval value, by class. */
export const NOISE_SIGMA: Readonly<Record<MeterClass, number>> = { household: 0.2, commercial: 0.08 };

/**
 * A meter's size: for households a multiplier on the median household (log-normal, sigma
 * 0.35); for commercial sites the peak demand in kW (median 8 kW, capped at 60 kW). Derived
 * from the meter id so any topology (generated or loaded) gets stable sizes.
 */
export function meterScale(seed: number, meterId: string, cls: MeterClass): number {
  const rng = mulberry32(hashString(meterId, seed ^ 0x5ca1e));
  const z = normal(rng);
  return cls === 'household' ? Math.exp(0.35 * z) : Math.min(60, 8 * Math.exp(0.5 * z));
}

/** Rated current on the LV side for a rating, A per phase. */
export function ratedAmps(kva: number): number {
  return (kva * 1000) / (Math.sqrt(3) * LV_VOLTS);
}

// Demand shapes over the worst week of the year (mid-January), 15-minute steps.
const WINTER_WEEK = ((): { household: number[]; commercial: number[] } => {
  const household: number[] = [];
  const commercial: number[] = [];
  const mid = Date.UTC(2026, 0, 11); // a Sunday in mid-January
  for (let i = 0; i < 7 * 96; i++) {
    const t = localTime(mid + i * 900_000);
    household.push(householdKw(t));
    commercial.push(commercialShare(t));
  }
  return { household, commercial };
})();

/**
 * Smallest standard rating whose 80 % covers the transformer's winter peak plus a noise margin
 * (few meters on a transformer means a noisier sum, so a larger margin).
 */
export function sizeKva(householdScale: number, commercialScale: number, meterCount: number): number {
  let peakKw = 0;
  for (let i = 0; i < WINTER_WEEK.household.length; i++) {
    const kw = householdScale * WINTER_WEEK.household[i]! + commercialScale * WINTER_WEEK.commercial[i]!;
    if (kw > peakKw) peakKw = kw;
  }
  const margin = Math.exp((3 * NOISE_SIGMA.household) / Math.sqrt(Math.max(1, meterCount)));
  const needKva = (peakKw * margin) / POWER_FACTOR / SIZING_LOADING;
  return KVA_RATINGS.find((r) => r >= needKva) ?? Math.ceil(needKva / 100) * 100;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const round5 = (x: number): number => roundTo(x, 5);

export function generateFleet(opts: FleetOptions): TopologyFile {
  const meters = positiveInt('meters', opts.meters);
  const perTx = positiveInt('metersPerTransformer', opts.metersPerTransformer ?? 20);
  const perFeeder = positiveInt('transformersPerFeeder', opts.transformersPerFeeder ?? 10);
  const perSub = positiveInt('feedersPerSubstation', opts.feedersPerSubstation ?? 4);
  const share = opts.commercialShare ?? 0.1;
  if (!(share >= 0 && share <= 1)) throw new RangeError('commercialShare must be between 0 and 1');
  if (!Number.isInteger(opts.seed)) throw new RangeError('seed must be an integer');
  const rng = mulberry32(opts.seed ^ 0x0f1ee7);

  const txCount = Math.ceil(meters / perTx);
  const feederCount = Math.ceil(txCount / perFeeder);
  const subCount = Math.ceil(feederCount / perSub);
  const fleet: TopologyFile = { substations: [], feeders: [], transformers: [], meters: [], sensors: [] };

  // Substations scattered over central Europe; feeders leave them in different directions.
  const subPos: Array<{ lat: number; lon: number }> = [];
  for (let s = 0; s < subCount; s++) {
    const pos = { lat: round5(47.5 + 7 * rng()), lon: round5(6 + 8.5 * rng()) };
    subPos.push(pos);
    fleet.substations.push({ id: `SUB-${pad(s + 1, 3)}`, name: `Substation ${pad(s + 1, 3)}`, ...pos });
  }
  const feederAngle: number[] = [];
  for (let f = 0; f < feederCount; f++) {
    const s = Math.floor(f / perSub);
    fleet.feeders.push({
      id: `FDR-${pad(s + 1, 3)}-${pad((f % perSub) + 1, 2)}`,
      substation_id: `SUB-${pad(s + 1, 3)}`,
    });
    feederAngle.push(2 * Math.PI * ((f % perSub) / perSub + 0.2 * rng()));
  }

  for (let m = 0; m < meters; m++) {
    const cls: MeterClass = rng() < share ? 'commercial' : 'household';
    const n = m + 1;
    const meter: Meter = {
      id: `MTR-${pad(n, 7)}`,
      customer_id: `CUST-${pad(n, 7)}`,
      transformer_id: `TX-${pad(Math.floor(m / perTx) + 1, 6)}`,
      class: cls,
    };
    fleet.meters.push(meter);
  }

  for (let t = 0; t < txCount; t++) {
    const f = Math.floor(t / perFeeder);
    const s = Math.floor(f / perSub);
    const base = subPos[s]!;
    // Along the feeder, ~400 m apart, with some sideways jitter.
    const along = 0.004 * ((t % perFeeder) + 1);
    const angle = feederAngle[f]! + 0.3 * (rng() - 0.5);
    const lat = round5(base.lat + along * Math.cos(angle));
    const lon = round5(base.lon + (along * Math.sin(angle)) / Math.cos((base.lat * Math.PI) / 180));
    let householdScale = 0;
    let commercialScale = 0;
    const txMeters = fleet.meters.slice(t * perTx, (t + 1) * perTx);
    for (const m of txMeters) {
      const scale = meterScale(opts.seed, m.id, m.class);
      if (m.class === 'household') householdScale += scale;
      else commercialScale += scale;
    }
    const tx: Transformer = {
      id: `TX-${pad(t + 1, 6)}`,
      feeder_id: fleet.feeders[f]!.id,
      kva: sizeKva(householdScale, commercialScale, txMeters.length),
      lat,
      lon,
    };
    fleet.transformers.push(tx);
    if (t % (perFeeder * perSub) === 0) {
      // The substation's frequency sensor sits on its first transformer (the bus is shared).
      fleet.sensors.push(sensor(`SNS-${fleet.feeders[f]!.substation_id}-F`, 'frequency', tx, 50));
    }
    const code = pad(t + 1, 6);
    fleet.sensors.push(
      sensor(`SNS-${code}-V`, 'voltage', tx, 230),
      sensor(`SNS-${code}-A`, 'current', tx, Math.round(ratedAmps(tx.kva) * 10) / 10),
      sensor(`SNS-${code}-P`, 'active_power', tx, Math.round(tx.kva * POWER_FACTOR * 10) / 10),
      sensor(`SNS-${code}-T`, 'temperature', tx, undefined),
    );
  }
  return fleet;
}

function sensor(id: string, type: Sensor['type'], tx: Transformer, nominal: number | undefined): Sensor {
  const s: Sensor = { id, type, transformer_id: tx.id };
  if (nominal !== undefined) s.nominal = nominal;
  if (tx.lat !== undefined) s.lat = tx.lat;
  if (tx.lon !== undefined) s.lon = tx.lon;
  return s;
}
