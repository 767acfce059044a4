// Versioned migrations of the embedded store. Append new versions; never edit one that has
// shipped (version 1 has not yet).
export const STORE_MIGRATIONS = [
  `CREATE TABLE meter_readings (
     meter_id TEXT NOT NULL, obis TEXT NOT NULL, interval_start INTEGER NOT NULL,
     interval_s INTEGER NOT NULL, value REAL NOT NULL, raw_value REAL, unit TEXT NOT NULL,
     quality INTEGER NOT NULL, customer_id TEXT, event_id TEXT, received_at INTEGER NOT NULL);
   -- A rowid table with a narrow unique index rather than a WITHOUT ROWID primary key: readings
   -- arrive interval by interval across all meters, so every insert lands on a different page
   -- of the (meter, channel, time) order; a narrow index keeps those pages cached far longer.
   CREATE UNIQUE INDEX meter_readings_key ON meter_readings (meter_id, obis, interval_start);
   CREATE TABLE sensor_readings (
     sensor_id TEXT NOT NULL, sensor_type TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
     unit TEXT NOT NULL, lat REAL, lon REAL, received_at INTEGER NOT NULL,
     PRIMARY KEY (sensor_id, sensor_type, ts)) WITHOUT ROWID;
   CREATE TABLE unknown_readings (
     kind TEXT NOT NULL, device_id TEXT NOT NULL, channel TEXT NOT NULL, ts INTEGER NOT NULL,
     payload TEXT NOT NULL, received_at INTEGER NOT NULL,
     PRIMARY KEY (kind, device_id, channel, ts)) WITHOUT ROWID;
   CREATE TABLE rollups (
     level TEXT NOT NULL, id TEXT NOT NULL, resolution INTEGER NOT NULL, bucket INTEGER NOT NULL,
     energy_kwh REAL NOT NULL, readings INTEGER NOT NULL, estimated INTEGER NOT NULL,
     PRIMARY KEY (level, id, resolution, bucket)) WITHOUT ROWID;
   CREATE TABLE events (
     id TEXT PRIMARY KEY, type TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
     start INTEGER NOT NULL, end_ts INTEGER, severity TEXT NOT NULL, value REAL, detail TEXT NOT NULL);
   CREATE INDEX events_by_start ON events (start, id);
   CREATE INDEX events_by_subject ON events (subject_id, start);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value REAL NOT NULL);`,
];
