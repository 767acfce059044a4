// Versioned migrations of the PostgreSQL store. Append new versions; never edit one that has
// shipped (version 1 has not yet). Same tables and meaning as sqlite-schema.ts; times are epoch
// milliseconds in bigint columns, as the port speaks them.
//
// - Readings tables are partitioned by day on their time column: a day's unique index stays
//   small enough to be cached while readings of every meter land all over it, and old days can
//   be dropped whole. Partitions are created on demand by gridops_ensure_day_partitions; a
//   DEFAULT partition takes whatever has none (far past, far future), so no row is ever refused.
// - Text keys use COLLATE "C": byte order, as SQLite's BINARY, so event keyset pages come in the
//   same order on both stores, and comparisons skip the locale.
// - meta counters are sharded per writer: every transaction bumps them, and one row per key
//   would serialise concurrent processors on its row lock. The reader sums the shards.
// - rollups and meta are updated in place all the time: fillfactor leaves room for HOT updates.
export const PG_STORE_MIGRATIONS = [
  `CREATE TABLE meter_readings (
     meter_id text COLLATE "C" NOT NULL, obis text COLLATE "C" NOT NULL, interval_start bigint NOT NULL,
     interval_s integer NOT NULL, value double precision NOT NULL, raw_value double precision,
     unit text NOT NULL, quality integer NOT NULL, customer_id text, event_id text,
     received_at bigint NOT NULL,
     PRIMARY KEY (meter_id, obis, interval_start)) PARTITION BY RANGE (interval_start);
   CREATE TABLE meter_readings_default PARTITION OF meter_readings DEFAULT;
   CREATE TABLE sensor_readings (
     sensor_id text COLLATE "C" NOT NULL, sensor_type text COLLATE "C" NOT NULL, ts bigint NOT NULL,
     value double precision NOT NULL, unit text NOT NULL, lat double precision, lon double precision,
     received_at bigint NOT NULL,
     PRIMARY KEY (sensor_id, sensor_type, ts)) PARTITION BY RANGE (ts);
   CREATE TABLE sensor_readings_default PARTITION OF sensor_readings DEFAULT;
   CREATE TABLE unknown_readings (
     kind text COLLATE "C" NOT NULL, device_id text COLLATE "C" NOT NULL, channel text COLLATE "C" NOT NULL,
     ts bigint NOT NULL, payload text NOT NULL, received_at bigint NOT NULL,
     PRIMARY KEY (kind, device_id, channel, ts));
   CREATE TABLE rollups (
     level text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, resolution integer NOT NULL,
     bucket bigint NOT NULL, energy_kwh double precision NOT NULL, readings bigint NOT NULL,
     estimated bigint NOT NULL,
     PRIMARY KEY (level, id, resolution, bucket)) WITH (fillfactor = 70);
   CREATE TABLE events (
     id text COLLATE "C" PRIMARY KEY, type text COLLATE "C" NOT NULL, subject_kind text NOT NULL,
     subject_id text COLLATE "C" NOT NULL, start bigint NOT NULL, end_ts bigint, severity text NOT NULL,
     value double precision, detail text NOT NULL);
   CREATE INDEX events_by_start ON events (start, id);
   CREATE INDEX events_by_subject ON events (subject_id, start, id);
   CREATE TABLE meta (
     key text COLLATE "C" NOT NULL, shard integer NOT NULL, value double precision NOT NULL,
     PRIMARY KEY (key, shard)) WITH (fillfactor = 50);

   -- Creates the day partitions of parent (a table of this schema) starting at the given epoch
   -- ms (UTC midnights) that do not exist yet, and returns the days that now have their own
   -- partition. Serialised per parent by a transaction advisory lock so two processors creating
   -- the same day do not collide. CREATE TABLE + ATTACH PARTITION rather than CREATE TABLE ...
   -- PARTITION OF: ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, so writers and readers of
   -- the other partitions go on (PARTITION OF takes ACCESS EXCLUSIVE and stalls them all); only
   -- the DEFAULT partition is locked and checked, and it is normally empty. A day whose rows
   -- already sit in DEFAULT (it was outside the window when they came) cannot get a partition
   -- (check_violation): they stay there.
   CREATE FUNCTION gridops_ensure_day_partitions(parent text, days bigint[]) RETURNS bigint[]
   LANGUAGE plpgsql AS $fn$
   DECLARE
     nsp text := current_schema();
     d bigint;
     part text;
     ok bigint[] := '{}';
   BEGIN
     -- Waiting long for the DEFAULT partition's lock would queue every writer behind us.
     PERFORM set_config('lock_timeout', '10s', true);
     PERFORM pg_advisory_xact_lock(hashtext(nsp || '.' || parent || ':partitions'));
     FOREACH d IN ARRAY days LOOP
       part := parent || '_d' || to_char(to_timestamp(d / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
       IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
         BEGIN
           EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I)', nsp, part, nsp, parent);
           EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%s) TO (%s)',
             nsp, parent, nsp, part, d, d + 86400000);
         EXCEPTION WHEN check_violation THEN
           CONTINUE;
         END;
       END IF;
       ok := ok || d;
     END LOOP;
     RETURN ok;
   END
   $fn$;`,
  // The KPI refresh reads one level, resolution and time range across every id
  // (levelRollups); the primary key leads with the id, so that was a scan of the whole level.
  `CREATE INDEX rollups_by_bucket ON rollups (level, resolution, bucket);`,
];
