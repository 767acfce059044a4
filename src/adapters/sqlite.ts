// Opens a node:sqlite database the way every embedded adapter needs it: WAL (readers never
// block the writer), a busy timeout instead of SQLITE_BUSY errors, and the configured
// synchronous level (FULL: a committed transaction survives power loss).
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Synchronous = 'FULL' | 'NORMAL';

/** How long a statement waits for a lock another connection holds before it fails. */
const BUSY_TIMEOUT_MS = 10_000;
/** How often a transaction about to begin looks again for the write lock (see beginImmediate). */
const LOCK_POLL_MS = 1;
const pause = new Int32Array(new SharedArrayBuffer(4));

export interface SqliteTuning {
  synchronous?: Synchronous;
  /**
   * WAL pages before an automatic checkpoint. The store raises it from SQLite's 1,000: its
   * inserts are scattered over the index, and checkpointing every 4 MB rewrote the same pages
   * again and again (measured: 39k -> 120k rows/s at 1M rows).
   */
  checkpointPages?: number;
  /**
   * Page cache per connection, in MiB. Every connection has its own, and a process holds
   * several (ingest's bus producer, each processor worker's bus consumer and store writer, the
   * query reader), so only the store's index-heavy connections get a large one.
   */
  cacheMiB?: number;
}

export function openSqlite(path: string, tuning: SqliteTuning = {}): DatabaseSync {
  const { synchronous = 'FULL', checkpointPages = 1000, cacheMiB = 8 } = tuning;
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL;
    PRAGMA synchronous = ${synchronous};
    PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
    PRAGMA temp_store = MEMORY;
    PRAGMA cache_size = -${cacheMiB * 1024};
    PRAGMA wal_autocheckpoint = ${checkpointPages};`);
  return db;
}

/** Runs `fn` in a write transaction (BEGIN IMMEDIATE takes the write lock up front). */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  beginImmediate(db);
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/**
 * BEGIN IMMEDIATE, waiting for SQLite's one write lock by trying again every millisecond rather
 * than in SQLite's busy handler. That handler sleeps in growing steps (1, 2, 5, 10, 15, 20, 25 ...
 * 100 ms), so a writer wakes well after the lock was freed: in bench/ingest a processor worker
 * began its store write 4-45 ms after the other worker's had committed, the lock idle meanwhile,
 * and the bus writer thread, which ingest's acknowledgements wait on, slept 34 ms behind a
 * consumer's 10 ms offset commit. A failed try costs about 17 us. Every other statement keeps
 * the busy timeout; the wait gives up after the same time.
 */
function beginImmediate(db: DatabaseSync): void {
  db.exec('PRAGMA busy_timeout = 0');
  try {
    const deadline = performance.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if (!isBusy(err) || performance.now() >= deadline) throw err;
      }
      Atomics.wait(pause, 0, 0, LOCK_POLL_MS);
    }
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/** SQLITE_BUSY, in any of its extended forms (the primary code is the low byte). */
function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown }).errcode;
  return typeof code === 'number' && (code & 0xff) === 5;
}

/** Where migrate() says what it does: a migration that rewrites readings can take minutes. */
export interface MigrationLog {
  info(fields: Record<string, unknown>, msg: string): void;
}

/** Applies numbered migrations once each, recording them in schema_migrations. */
export function migrate(db: DatabaseSync, migrations: readonly string[], log?: MigrationLog): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as {
    v: number;
  };
  let applied = 0;
  for (let v = row.v + 1; v <= migrations.length; v++) {
    const started = performance.now();
    log?.info({ version: v, from: v - 1, latest: migrations.length }, 'applying migration');
    inTransaction(db, () => {
      db.exec(migrations[v - 1]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v, Date.now());
    });
    log?.info({ version: v, ms: Math.round(performance.now() - started) }, 'migration applied');
    applied++;
  }
  return applied;
}
