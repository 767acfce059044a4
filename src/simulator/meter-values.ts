// A meter's true consumption for one interval: a pure function of (seed, meter, interval), so
// backfill, live and look-ahead (overload sizing) all agree without shared state.
import type { FleetModel } from './fleet-model.ts';
import { commercialShare, householdKw, localTime } from './load-shapes.ts';
import { normal, rngFor } from './prng.ts';
import { INTERVAL_MS } from './wire.ts';

/** Salts separating the random streams; changing one reshuffles only that aspect. */
export const SALT = {
  noise: 0x6e01,
  reading: 0x6e02,
  sensor: 0x6e03,
  event: 0x6e04,
  resend: 0x6e05,
  episode: 0x6e10, // + fault kind index
} as const;

export interface IntervalShape {
  household: number;
  commercial: number;
}

/** Shape factors at the interval's midpoint (shared by every meter of a class). */
export function intervalShape(idx: number): IntervalShape {
  const t = localTime(idx * INTERVAL_MS + INTERVAL_MS / 2);
  return { household: householdKw(t), commercial: commercialShare(t) };
}

/** kWh consumed by meter `m` in interval `idx` (interval index = epoch ms / 900 000). */
export function baseKwh(model: FleetModel, m: number, idx: number, shape: IntervalShape): number {
  const sigma = model.meterNoise[m]!;
  const rng = rngFor(model.seed, SALT.noise, model.meterHash[m]!, idx);
  // exp(sigma z - sigma^2/2) has mean 1, so noise does not inflate energy totals.
  const noise = Math.exp(sigma * normal(rng) - (sigma * sigma) / 2);
  const kw = model.meterScale[m]! * (model.meterCommercial[m] ? shape.commercial : shape.household);
  return kw * noise * 0.25;
}

/** Apparent-power loading (0..1+) of transformer `tx` when it delivers `kw`. */
export function loadingOf(model: FleetModel, tx: number, kw: number, powerFactor: number): number {
  return kw / powerFactor / model.txKva[tx]!;
}
