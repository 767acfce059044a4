// The embedded bus's log on node:sqlite, shared by its producer (through the writer thread)
// and its consumers. Like Kafka it stores record *batches*: one row per partition per commit,
// holding many records, with a base offset; that keeps an append of a 5,000-reading request
// to a handful of row writes.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction, migrate, openSqlite, type Synchronous } from '../sqlite.ts';

const MIGRATIONS = [
  `CREATE TABLE bus_log (
     partition INTEGER NOT NULL, base_offset INTEGER NOT NULL, count INTEGER NOT NULL,
     keys TEXT NOT NULL, payload TEXT NOT NULL, headers TEXT, appended_at INTEGER NOT NULL,
     PRIMARY KEY (partition, base_offset)) WITHOUT ROWID;
   CREATE TABLE bus_head (partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL);
   CREATE TABLE bus_offsets (grp TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
     PRIMARY KEY (grp, partition)) WITHOUT ROWID;
   CREATE TABLE bus_dead_letters (id INTEGER PRIMARY KEY, partition INTEGER, offset INTEGER, key TEXT,
     value TEXT, headers TEXT, reason TEXT NOT NULL, at INTEGER NOT NULL);`,
];

export interface SqliteBusOptions {
  path: string;
  partitions: number;
  synchronous?: Synchronous;
}

export function openBus(opts: Pick<SqliteBusOptions, 'path' | 'synchronous'>): DatabaseSync {
  const db = openSqlite(opts.path, { synchronous: opts.synchronous });
  migrate(db, MIGRATIONS);
  return db;
}

export function lagQuery(db: DatabaseSync): StatementSync {
  return db.prepare(`SELECT COALESCE(SUM(h.next_offset - COALESCE(o.next_offset, 0)), 0) AS lag
     FROM bus_head h LEFT JOIN bus_offsets o ON o.partition = h.partition AND o.grp = ?`);
}

/** One partition's share of an append: its records' keys and values, each joined by '\n'. */
export interface Chunk {
  partition: number;
  count: number;
  keys: string;
  values: string;
  /** JSON array of per-record headers (null where a record has none), or null for none at all. */
  headers: string | null;
}

/** Appends chunks in one transaction: one log row each, at its partition's head. */
export class LogAppender {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly readHead: StatementSync;
  private readonly writeHead: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare(
      'INSERT INTO bus_log (partition, base_offset, count, keys, payload, headers, appended_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.readHead = db.prepare('SELECT next_offset FROM bus_head WHERE partition = ?');
    this.writeHead = db.prepare(
      'INSERT INTO bus_head (partition, next_offset) VALUES (?, ?) ON CONFLICT(partition) DO UPDATE SET next_offset = excluded.next_offset',
    );
  }

  append(chunks: readonly Chunk[]): void {
    const now = Date.now();
    inTransaction(this.db, () => {
      for (const c of chunks) {
        const head =
          (this.readHead.get(c.partition) as { next_offset: number } | undefined)?.next_offset ?? 0;
        this.insert.run(c.partition, head, c.count, c.keys, c.values, c.headers, now);
        this.writeHead.run(c.partition, head + c.count);
      }
    });
  }
}
