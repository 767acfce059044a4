// fast-check arbitraries for the POST /v1/readings wire format: valid meter and sensor items
// (with the epoch-ms time they must parse to), and a wrong-typed value per field, so properties
// can say "valid in, same fields out" and "one bad field, one error naming it".
import fc from 'fast-check';
import { MIN_TIMESTAMP } from '../../src/modules/ingest/reading-schema.ts';
import { OBIS_PATTERN, OBIS_UNITS, SENSOR_TYPES, SENSOR_UNITS } from '../../src/domain/readings.ts';

export type WireItem = Record<string, unknown>;

/** A valid item, the epoch ms its timestamp denotes, and whether it is a meter or a sensor item. */
export interface ValidItem {
  item: WireItem;
  time: number;
  kind: 'meter' | 'sensor';
}

export const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);

/**
 * An ISO-8601 timestamp with a zone (Z or +hh:mm) in any precision the validator allows
 * (minutes, seconds, milliseconds), with the epoch ms it denotes.
 */
export function timeArb(maxTime: number): fc.Arbitrary<{ text: string; time: number }> {
  return fc
    .record({
      ms: fc.integer({ min: MIN_TIMESTAMP, max: maxTime }),
      precision: fc.constantFrom(60_000, 1000, 1),
      offsetQuarters: fc.oneof(fc.constant(0), fc.integer({ min: -48, max: 56 })),
    })
    .map(({ ms, precision, offsetQuarters }) => {
      const time = ms - (ms % precision);
      const offsetMin = offsetQuarters * 15;
      const local = new Date(time + offsetMin * 60_000).toISOString(); // ...T12:34:56.789Z
      const body =
        precision === 60_000
          ? local.slice(0, 16)
          : precision === 1000
            ? local.slice(0, 19)
            : local.slice(0, 23);
      const abs = Math.abs(offsetMin);
      const zone =
        offsetQuarters === 0
          ? 'Z'
          : `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      return { text: body + zone, time };
    });
}

/** A finite double as it survives the wire (-0 becomes 0 in JSON). */
const valueArb = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));

/** A channel: a known OBIS code with its unit, or any well-formed code with any short unit. */
const channelArb = fc.oneof(
  fc.constantFrom(...Object.entries(OBIS_UNITS)),
  fc
    .tuple(fc.stringMatching(OBIS_PATTERN), fc.string({ minLength: 1, maxLength: 16 }))
    .map(([obis, unit]): [string, string] => [obis, OBIS_UNITS[obis] ?? unit]),
);

/** `meterIds` defaults to any id the validator allows. */
export function validMeterItemArb(
  maxTime: number,
  meterIds: fc.Arbitrary<string> = idArb,
): fc.Arbitrary<ValidItem> {
  return fc
    .record(
      {
        meter_id: meterIds,
        event_id: idArb,
        customer_id: idArb,
        channel: channelArb,
        interval_start: timeArb(maxTime),
        interval_s: fc.integer({ min: 1, max: 86_400 }),
        value: valueArb,
        quality: fc.constantFrom([], ['last_gasp'], ['last_gasp', 'last_gasp']),
      },
      { requiredKeys: ['meter_id', 'channel', 'interval_start', 'interval_s', 'value'] },
    )
    .map(({ channel, interval_start, ...rest }) => ({
      item: { ...rest, obis: channel[0], unit: channel[1], interval_start: interval_start.text },
      time: interval_start.time,
      kind: 'meter' as const,
    }));
}

export function validSensorItemArb(
  maxTime: number,
  sensorIds: fc.Arbitrary<string> = idArb,
): fc.Arbitrary<ValidItem> {
  return fc
    .record(
      {
        sensor_id: sensorIds,
        event_id: idArb,
        sensor_type: fc.constantFrom(...SENSOR_TYPES),
        ts: timeArb(maxTime),
        value: valueArb,
        lat: fc.double({ min: -90, max: 90, noNaN: true }).map((v) => v + 0), // -0 -> 0
        lon: fc.double({ min: -180, max: 180, noNaN: true }).map((v) => v + 0),
      },
      { requiredKeys: ['sensor_id', 'sensor_type', 'ts', 'value'] },
    )
    .map(({ ts, ...rest }) => ({
      item: { ...rest, ts: ts.text, unit: SENSOR_UNITS[rest.sensor_type] },
      time: ts.time,
      kind: 'sensor' as const,
    }));
}

export const validItemArb = (maxTime: number) =>
  fc.oneof(validMeterItemArb(maxTime), validSensorItemArb(maxTime));

const STRING_FIELDS = new Set([
  'meter_id',
  'sensor_id',
  'event_id',
  'customer_id',
  'obis',
  'unit',
  'interval_start',
  'ts',
]);
const NUMBER_FIELDS = new Set(['value', 'lat', 'lon']);

/** Whether `v` has the wrong type (or, for enumerations, a value outside them) for `field`. */
export function wrongFor(field: string, v: unknown): boolean {
  if (STRING_FIELDS.has(field)) return typeof v !== 'string';
  if (NUMBER_FIELDS.has(field)) return typeof v !== 'number';
  if (field === 'interval_s') return typeof v !== 'number' || !Number.isInteger(v);
  if (field === 'quality') return !Array.isArray(v) || v.some((q) => q !== 'last_gasp');
  if (field === 'sensor_type') return !(SENSOR_TYPES as readonly unknown[]).includes(v);
  throw new Error(`no type rule for ${field}`);
}

/** A JSON value of the wrong type for `field` (never undefined: absent is not wrong-typed). */
export function wrongValueArb(field: string): fc.Arbitrary<unknown> {
  const base = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('NaN', 'Infinity', '1.5', '', true, false, null, 0.5, 42, [], {}, ['estimated']),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
  );
  return base.filter((v) => wrongFor(field, v));
}

/** The same value as the server sees it after JSON on the wire. */
export const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
