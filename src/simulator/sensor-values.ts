// Transformer sensor samples, derived from the true load the transformer delivers (so theft
// shows as a gap between sensors and meters, and overload as current above the rating).
import { SAG_DIP_MINUTES, SAG_SUSTAINED_MINUTES, type EpisodeBook } from './episodes.ts';
import type { IntervalState } from './fleet-simulator.ts';
import type { FleetModel } from './fleet-model.ts';
import { POWER_FACTOR, ratedAmps } from './fleet.ts';
import { ambientTemperature, localTime } from './load-shapes.ts';
import { loadingOf, SALT } from './meter-values.ts';
import { eventUuid, normal, rngFor } from './prng.ts';
import { INTERVAL_MS, sensorItem, type SensorWireItem } from './wire.ts';

/** Sensor `s`'s sample at `ts`, or undefined while its transformer has no power. */
export function sampleSensor(
  m: FleetModel,
  episodes: EpisodeBook,
  st: IntervalState,
  s: number,
  ts: number,
  tsIso: string,
): SensorWireItem | undefined {
  const sensor = m.sensors[s]!;
  const tx = sensor.tx;
  const outage = episodes.outages.get(tx);
  const dark = outage !== undefined && ts >= outage.offAtMs;
  // The frequency sensor measures the substation bus, which a transformer outage leaves live.
  if (dark && sensor.type !== 'frequency') return undefined;
  const rng = rngFor(m.seed, SALT.sensor, sensor.hash, ts / 1000);
  const z = normal(rng);
  const kw = Math.max(0, st.txKw[tx]! * (1 + 0.03 * normal(rng)));
  const loading = loadingOf(m, tx, kw, POWER_FACTOR);
  let value: number;
  switch (sensor.type) {
    case 'voltage':
      value = voltage(episodes, tx, ts, loading, z, rng());
      break;
    case 'current':
      value = ratedAmps(m.txKva[tx]!) * loading;
      break;
    case 'active_power':
      value = kw;
      break;
    case 'temperature':
      // Top-oil rise of ~45 K at rated load, on top of the outdoor temperature.
      value = ambientTemperature(localTime(ts)) + 45 * loading * loading + 0.2 * z;
      break;
    case 'frequency': {
      const t = ts / 1000;
      const f =
        50 +
        0.03 * Math.sin((2 * Math.PI * t) / 1020) +
        0.012 * Math.sin((2 * Math.PI * t) / 186) +
        0.005 * z;
      value = Math.min(50.05, Math.max(49.95, f));
      break;
    }
  }
  return sensorItem(
    eventUuid(m.seed, SALT.event, sensor.hash, ts / 1000),
    sensor.id,
    sensor.type,
    tsIso,
    value,
  );
}

/** 230 V nominal, a little above at no load, dropping with loading; sags override it. */
function voltage(
  episodes: EpisodeBook,
  tx: number,
  ts: number,
  loading: number,
  z: number,
  u: number,
): number {
  if (episodes.sags.has(tx)) {
    const minute = Math.floor((ts % INTERVAL_MS) / 60_000);
    if (SAG_DIP_MINUTES.includes(minute)) return 230 * (0.87 + 0.02 * u);
    if (SAG_SUSTAINED_MINUTES.includes(minute)) return 230 * (0.85 + 0.004 * (u - 0.5));
  }
  return 230 * (1.02 - 0.05 * loading) + 0.6 * z;
}
