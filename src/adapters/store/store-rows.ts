// Rows as both stores return them (the same column names in SQLite and PostgreSQL), made into
// domain values in one place, and the query cursor both readers page with.
import type { EventType, GridEvent, Severity, SubjectKind } from '../../domain/events.ts';
import type { LevelRollupRow, RollupRow, StoreStats, StoredMeterReading } from './store.ts';

export type Row = Record<string, number | string | null>;

export function rowToReading(row: Row): StoredMeterReading {
  return {
    meterId: row.meter_id as string,
    obis: row.obis as string,
    intervalStart: row.interval_start as number,
    intervalSeconds: row.interval_s as number,
    value: row.value as number,
    rawValue: row.raw_value as number | null,
    unit: row.unit as string,
    quality: row.quality as number,
  };
}

export function rowToLevelRollup(r: Row): LevelRollupRow {
  return { id: r.id as string, ...rowToRollup(r) };
}

export function rowToRollup(r: Row): RollupRow {
  return {
    bucket: r.bucket as number,
    energyKwh: r.energy_kwh as number,
    readings: r.readings as number,
    estimated: r.estimated as number,
  };
}

export function rowToEvent(r: Row): GridEvent {
  const e: GridEvent = {
    id: r.id as string,
    type: r.type as EventType,
    subjectKind: r.subject_kind as SubjectKind,
    subjectId: r.subject_id as string,
    start: r.start as number,
    severity: r.severity as Severity,
    detail: r.detail as string,
  };
  if (r.end_ts !== null) e.end = r.end_ts as number;
  if (r.value !== null) e.value = r.value as number;
  return e;
}

/** The counters of the meta table (key -> value, summed over shards where there are any). */
export function statsFromMeta(meta: ReadonlyMap<string, number>): StoreStats {
  return {
    watermark: meta.get('watermark') ?? null,
    meterReadings: meta.get('meter_readings') ?? 0,
    sensorReadings: meta.get('sensor_readings') ?? 0,
    unknownReadings: meta.get('unknown_readings') ?? 0,
    events: meta.get('events') ?? 0,
  };
}

export function encodeCursor(e: { start: number; id: string }): string {
  return Buffer.from(`${e.start}|${e.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): [number, string] {
  const text = Buffer.from(cursor, 'base64url').toString();
  const bar = text.indexOf('|');
  const start = Number(text.slice(0, bar));
  if (bar < 0 || !Number.isFinite(start)) throw new Error('malformed cursor');
  return [start, text.slice(bar + 1)];
}
