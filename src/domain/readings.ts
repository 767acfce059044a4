// Readings as the pipeline carries them after ingest validation. Times are epoch
// milliseconds (UTC) so the hot path never parses dates twice; the wire format (snake_case,
// ISO-8601 strings) lives in the ingest module's schema.

/** OBIS codes (IEC 62056-61) the platform understands, with their canonical unit. */
export const OBIS = {
  ACTIVE_IMPORT: '1-0:1.8.0', // active energy import, kWh
  ACTIVE_EXPORT: '1-0:2.8.0', // active energy export (rooftop PV), kWh
  REACTIVE_IMPORT: '1-0:3.8.0', // reactive energy import, kvarh
  VOLTAGE_L1: '1-0:32.7.0', // instantaneous voltage L1, V
} as const;

export const OBIS_UNITS: Readonly<Record<string, string>> = {
  [OBIS.ACTIVE_IMPORT]: 'kWh',
  [OBIS.ACTIVE_EXPORT]: 'kWh',
  [OBIS.REACTIVE_IMPORT]: 'kvarh',
  [OBIS.VOLTAGE_L1]: 'V',
};

/** OBIS code syntax A-B:C.D.E (the optional *F suffix is accepted). */
export const OBIS_PATTERN = /^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}(\*\d{1,3})?$/;

/**
 * Quality flags, a bitmask. INVALID_MASK flags keep a reading out of rollups (its raw value
 * is kept); SUSPECT flags mark it but keep it counted, as utilities do for VEE "warnings".
 */
export const Quality = {
  VALID: 0,
  ESTIMATED: 1 << 0, // filled in by VEE linear estimation, no raw value
  RANGE: 1 << 1, // outside the plausible range for its OBIS code and interval
  NEGATIVE: 1 << 2, // negative consumption on a cumulative-import channel
  SPIKE: 1 << 3, // far above the series' recent robust level
  FROZEN: 1 << 4, // same non-zero value 3+ intervals in a row
  CLOCK_DRIFT: 1 << 5, // interval start misaligned or too far ahead of receive time
  DUPLICATE: 1 << 6, // same key seen with a different value; first one wins
  LAST_GASP: 1 << 7, // the meter reported power loss
  EDITED: 1 << 8, // value replaced by VEE editing; raw value kept
} as const;

export const INVALID_MASK = Quality.RANGE | Quality.NEGATIVE;

export const QUALITY_NAMES: ReadonlyArray<[number, string]> = Object.entries(Quality)
  .filter(([, bit]) => bit !== 0)
  .map(([name, bit]) => [bit, name.toLowerCase()]);

export function qualityNames(mask: number): string[] {
  return QUALITY_NAMES.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

/** A meter's interval reading (energy register delta over the interval). */
export interface MeterReading {
  eventId?: string;
  meterId: string;
  customerId?: string;
  /** OBIS code of the channel; (meterId, obis, intervalStart) is the idempotency key. */
  obis: string;
  intervalStart: number;
  intervalSeconds: number;
  value: number;
  unit: string;
  quality: number;
  /** The value as received when VEE edited it; undefined when unedited or estimated. */
  rawValue?: number;
  /** When ingest accepted it (epoch ms); used for clock-drift and freshness. */
  receivedAt: number;
}

export const SENSOR_TYPES = ['voltage', 'current', 'active_power', 'frequency', 'temperature'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

export const SENSOR_UNITS: Readonly<Record<SensorType, string>> = {
  voltage: 'V',
  current: 'A',
  active_power: 'kW',
  frequency: 'Hz',
  temperature: 'degC',
};

/** A grid sensor sample (substation / transformer / feeder instrumentation). */
export interface SensorReading {
  eventId?: string;
  sensorId: string;
  sensorType: SensorType;
  ts: number;
  value: number;
  unit: string;
  lat?: number;
  lon?: number;
  receivedAt: number;
}

export type Reading = ({ kind: 'meter' } & MeterReading) | ({ kind: 'sensor' } & SensorReading);

export const MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Start of the bucket of `size` ms containing `ts` (UTC-aligned). */
export function bucketStart(ts: number, size: number): number {
  return ts - (((ts % size) + size) % size);
}
