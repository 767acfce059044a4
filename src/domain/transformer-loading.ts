// Transformer loading from metered energy: average demand over an interval against nameplate kVA.

export type LoadingLevel = 'normal' | 'high' | 'overload';

const HIGH = 0.8;
const OVERLOAD = 1.0;

/**
 * kW is the interval's average demand (signed: negative energy means reverse flow, e.g. PV
 * export). kVA drawn and the loading ratio use its magnitude, because a transformer heats up
 * the same whichever way the power flows. Throws RangeError on inputs that have no meaning
 * (non-positive interval or rating, power factor outside (0, 1]) rather than returning NaN
 * that would slip into dashboards.
 */
export function transformerLoading(
  energyKwh: number,
  intervalSeconds: number,
  kva: number,
  powerFactor = 0.95,
): { kw: number; kvaDrawn: number; loadingRatio: number } {
  if (!(intervalSeconds > 0))
    throw new RangeError(`intervalSeconds must be positive, got ${intervalSeconds}`);
  if (!(kva > 0)) throw new RangeError(`kva must be positive, got ${kva}`);
  if (!(powerFactor > 0 && powerFactor <= 1)) {
    throw new RangeError(`powerFactor must be in (0, 1], got ${powerFactor}`);
  }
  const kw = energyKwh / (intervalSeconds / 3600);
  const kvaDrawn = Math.abs(kw) / powerFactor;
  return { kw, kvaDrawn, loadingRatio: kvaDrawn / kva };
}

export function loadingLevel(ratio: number): LoadingLevel {
  if (ratio >= OVERLOAD) return 'overload';
  if (ratio >= HIGH) return 'high';
  return 'normal';
}
