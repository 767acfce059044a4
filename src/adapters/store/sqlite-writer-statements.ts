// The prepared statements of the embedded store's writer (sqlite-store-writer.ts), in one place.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export function writerStatements(db: DatabaseSync) {
  const p = (sql: string): StatementSync => db.prepare(sql);
  return {
    existing: p('SELECT value, quality FROM series_readings WHERE series = ? AND interval_start = ?'),
    replace:
      p(`UPDATE series_readings SET value = ?, raw_value = ?, quality = ?, interval_s = ?, event_id = ?,
      received_at = ? WHERE series = ? AND interval_start = ?`),
    addSeries: p('INSERT INTO meter_series (meter_id, obis) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    seriesId: p('SELECT id FROM meter_series WHERE meter_id = ? AND obis = ?'),
    allSeries: p('SELECT id FROM meter_series'),
    deleteSeriesBefore: p('DELETE FROM series_readings WHERE series = ? AND interval_start < ?'),
    deleteSensorsBefore: p('DELETE FROM sensor_readings WHERE ts < ?'),
    countSeriesBefore: p('SELECT count(*) AS n FROM series_readings WHERE series = ? AND interval_start < ?'),
    countSensorsBefore: p('SELECT count(*) AS n FROM sensor_readings WHERE ts < ?'),
    insertSensor:
      p(`INSERT INTO sensor_readings (sensor_id, sensor_type, ts, value, unit, lat, lon, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    insertUnknown: p(`INSERT INTO unknown_readings (kind, device_id, channel, ts, payload, received_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    upsertRollup: p(`INSERT INTO rollups (level, id, resolution, bucket, energy_kwh, readings, estimated)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET energy_kwh = energy_kwh + excluded.energy_kwh,
      readings = readings + excluded.readings, estimated = estimated + excluded.estimated`),
    // The same upsert, answering the row's new total: a transformer quarter-hour's total is
    // what overloads are judged on, and reading it back took a second lookup per row.
    upsertRollupTotal: p(`INSERT INTO rollups (level, id, resolution, bucket, energy_kwh, readings, estimated)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET energy_kwh = energy_kwh + excluded.energy_kwh,
      readings = readings + excluded.readings, estimated = estimated + excluded.estimated
      RETURNING energy_kwh`),
    insertEvent:
      p(`INSERT INTO events (id, type, subject_kind, subject_id, start, end_ts, severity, value, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    bumpMeta: p(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value',
    ),
    maxMeta: p(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = MAX(value, excluded.value)',
    ),
    recent: p(`SELECT ? AS meter_id, ? AS obis, interval_start, interval_s, value, raw_value, unit, quality
      FROM series_readings WHERE series = ? ORDER BY interval_start DESC LIMIT ?`),
  };
}

export type WriterStatements = ReturnType<typeof writerStatements>;
