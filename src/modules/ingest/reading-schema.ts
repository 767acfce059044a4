// The wire format of POST /v1/readings and its validator. Hand-written rather than JSON Schema
// because batches reach 100,000 items and every error must name its item and field; the
// published JSON Schema (readingItemJsonSchema) documents the same rules for clients.
import type { ErrorDetail } from '../../app/errors.ts';
import {
  OBIS_PATTERN,
  OBIS_UNITS,
  Quality,
  SENSOR_TYPES,
  SENSOR_UNITS,
  type Reading,
  type SensorType,
} from '../../domain/readings.ts';

const METER_FIELDS = new Set([
  'event_id',
  'meter_id',
  'customer_id',
  'obis',
  'interval_start',
  'interval_s',
  'value',
  'unit',
  'quality',
]);
const SENSOR_FIELDS = new Set(['event_id', 'sensor_id', 'sensor_type', 'ts', 'value', 'unit', 'lat', 'lon']);
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
// No control characters: the bus codec separates fields with tabs.
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const UNIT_PATTERN = /^[^\x00-\x1f\x7f]{1,16}$/;
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Oldest accepted timestamp: AMI data before 2000 is a clock fault, not history. */
export const MIN_TIMESTAMP = Date.UTC(2000, 0, 1);
/** How far ahead of the server clock a timestamp may be before it is rejected outright. */
export const MAX_FUTURE_MS = 24 * 3_600_000;
const MAX_ERRORS = 100;

export interface ValidationOutcome {
  readings: Reading[];
  errors: ErrorDetail[];
  /** Number of invalid items (errors may be capped at MAX_ERRORS). */
  invalidItems: number;
}

type Obj = Record<string, unknown>;

/** Date.parse rolls 30 February over into March; a reading's date must exist as written. */
export function isCalendarDate(v: string): boolean {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

class ItemChecker {
  readonly errors: ErrorDetail[] = [];
  private readonly base: string;
  private readonly obj: Obj;
  constructor(index: number, obj: Obj) {
    this.base = `/${index}`;
    this.obj = obj;
  }
  fail(field: string, message: string): void {
    this.errors.push({ field: `${this.base}/${field}`, message });
  }
  id(field: string, required: boolean): string | undefined {
    const v = this.obj[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !ID_PATTERN.test(v)) {
      this.fail(
        field,
        v === undefined ? 'is required' : 'must be a string of 1-64 letters, digits, ".", "_", ":" or "-"',
      );
      return undefined;
    }
    return v;
  }
  time(field: string, now: number, memo: Map<string, number>): number | undefined {
    const v = this.obj[field];
    // A batch usually carries one interval for many meters: parse each distinct string once.
    const known = typeof v === 'string' ? memo.get(v) : undefined;
    if (known !== undefined) return known;
    if (typeof v !== 'string' || !ISO_PATTERN.test(v)) {
      this.fail(
        field,
        v === undefined
          ? 'is required'
          : 'must be an ISO-8601 timestamp with a zone, e.g. 2026-11-27T00:15:00Z',
      );
      return undefined;
    }
    const t = Date.parse(v);
    if (!Number.isFinite(t) || !isCalendarDate(v)) this.fail(field, 'is not a real date');
    else if (t < MIN_TIMESTAMP) this.fail(field, 'is before 2000-01-01');
    else if (t > now + MAX_FUTURE_MS) this.fail(field, 'is more than 24 h in the future');
    else {
      if (memo.size < 10_000) memo.set(v, t);
      return t;
    }
    return undefined;
  }
  finite(field: string, required: boolean, min = -Infinity, max = Infinity): number | undefined {
    const v = this.obj[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(field, v === undefined ? 'is required' : 'must be a finite number');
      return undefined;
    }
    if (v < min || v > max) {
      this.fail(field, `must be between ${min} and ${max}`);
      return undefined;
    }
    return v;
  }
  unit(expected: string | undefined): string | undefined {
    const v = this.obj.unit;
    if (typeof v !== 'string' || !UNIT_PATTERN.test(v)) {
      this.fail(
        'unit',
        v === undefined ? 'is required' : 'must be 1-16 characters without control characters',
      );
      return undefined;
    }
    if (expected !== undefined && v !== expected) this.fail('unit', `must be "${expected}" for this channel`);
    return v;
  }
  onlyKnown(allowed: ReadonlySet<string>): void {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.has(key)) this.fail(key, 'is not a known field');
    }
  }
}

function meterItem(c: ItemChecker, o: Obj, now: number, memo: Map<string, number>): Reading | undefined {
  c.onlyKnown(METER_FIELDS);
  const eventId = c.id('event_id', false);
  const meterId = c.id('meter_id', true);
  const customerId = c.id('customer_id', false);
  const obis = typeof o.obis === 'string' && OBIS_PATTERN.test(o.obis) ? o.obis : undefined;
  if (!obis) c.fail('obis', o.obis === undefined ? 'is required' : 'must be an OBIS code such as 1-0:1.8.0');
  const intervalStart = c.time('interval_start', now, memo);
  const intervalSeconds = c.finite('interval_s', true, 1, 86_400);
  if (intervalSeconds !== undefined && !Number.isInteger(intervalSeconds))
    c.fail('interval_s', 'must be an integer');
  const value = c.finite('value', true);
  const unit = c.unit(obis ? OBIS_UNITS[obis] : undefined);
  let quality = 0;
  if (o.quality !== undefined) {
    if (!Array.isArray(o.quality) || o.quality.some((q) => q !== 'last_gasp')) {
      c.fail('quality', 'must be an array whose only accepted flag is "last_gasp"');
    } else if (o.quality.length > 0) quality = Quality.LAST_GASP;
  }
  if (c.errors.length > 0) return undefined;
  const r: Reading = {
    kind: 'meter',
    meterId: meterId!,
    obis: obis!,
    intervalStart: intervalStart!,
    intervalSeconds: intervalSeconds!,
    value: value!,
    unit: unit!,
    quality,
    receivedAt: now,
  };
  if (eventId !== undefined) r.eventId = eventId;
  if (customerId !== undefined) r.customerId = customerId;
  return r;
}

function sensorItem(c: ItemChecker, o: Obj, now: number, memo: Map<string, number>): Reading | undefined {
  c.onlyKnown(SENSOR_FIELDS);
  const eventId = c.id('event_id', false);
  const sensorId = c.id('sensor_id', true);
  const sensorType = (SENSOR_TYPES as readonly unknown[]).includes(o.sensor_type)
    ? (o.sensor_type as SensorType)
    : undefined;
  if (!sensorType) c.fail('sensor_type', `must be one of ${SENSOR_TYPES.join(', ')}`);
  const ts = c.time('ts', now, memo);
  const value = c.finite('value', true);
  const unit = c.unit(sensorType ? SENSOR_UNITS[sensorType] : undefined);
  const lat = c.finite('lat', false, -90, 90);
  const lon = c.finite('lon', false, -180, 180);
  if (c.errors.length > 0) return undefined;
  const r: Reading = {
    kind: 'sensor',
    sensorId: sensorId!,
    sensorType: sensorType!,
    ts: ts!,
    value: value!,
    unit: unit!,
    receivedAt: now,
  };
  if (eventId !== undefined) r.eventId = eventId;
  if (lat !== undefined) r.lat = lat;
  if (lon !== undefined) r.lon = lon;
  return r;
}

/** Validates every item; the caller stores nothing unless `errors` is empty. */
export function validateItems(items: readonly unknown[], now: number): ValidationOutcome {
  // The outcome is made before the loop, not returned as a literal after it: V8 compiles the
  // loop on stack replacement in the first call, before the interpreter ever reached a literal
  // after it, and that code then deoptimized at the literal on every call (trace-deopt: 200 in
  // 200 batches), recompiling each time.
  const outcome: ValidationOutcome = { readings: [], errors: [], invalidItems: 0 };
  const { readings, errors } = outcome;
  const memo = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const o = items[i];
    let c: ItemChecker;
    let r: Reading | undefined;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      c = new ItemChecker(i, {});
      c.errors.push({ field: `/${i}`, message: 'must be an object' });
    } else {
      c = new ItemChecker(i, o as Obj);
      const hasMeter = Object.hasOwn(o, 'meter_id');
      const hasSensor = Object.hasOwn(o, 'sensor_id');
      if (hasMeter === hasSensor)
        c.fail(hasMeter ? 'sensor_id' : 'meter_id', 'an item has exactly one of meter_id or sensor_id');
      else r = hasMeter ? meterItem(c, o as Obj, now, memo) : sensorItem(c, o as Obj, now, memo);
    }
    if (r) readings.push(r);
    else {
      outcome.invalidItems++;
      for (const e of c.errors) if (errors.length < MAX_ERRORS) errors.push(e);
    }
  }
  return outcome;
}

/** JSON Schema of one item, served at GET /v1/schema/reading for client authors. */
export const readingItemJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'GridOps reading (meter interval or grid sensor sample)',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['meter_id', 'obis', 'interval_start', 'interval_s', 'value', 'unit'],
      properties: {
        event_id: { type: 'string', pattern: ID_PATTERN.source },
        meter_id: { type: 'string', pattern: ID_PATTERN.source },
        customer_id: { type: 'string', pattern: ID_PATTERN.source },
        obis: { type: 'string', pattern: OBIS_PATTERN.source },
        interval_start: { type: 'string', format: 'date-time' },
        interval_s: { type: 'integer', minimum: 1, maximum: 86400 },
        value: { type: 'number' },
        unit: { type: 'string', pattern: UNIT_PATTERN.source },
        quality: { type: 'array', items: { const: 'last_gasp' } },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['sensor_id', 'sensor_type', 'ts', 'value', 'unit'],
      properties: {
        event_id: { type: 'string', pattern: ID_PATTERN.source },
        sensor_id: { type: 'string', pattern: ID_PATTERN.source },
        sensor_type: { enum: [...SENSOR_TYPES] },
        ts: { type: 'string', format: 'date-time' },
        value: { type: 'number' },
        unit: { type: 'string', pattern: UNIT_PATTERN.source },
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lon: { type: 'number', minimum: -180, maximum: 180 },
      },
    },
  ],
} as const;
