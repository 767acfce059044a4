// The embedded bus on node:sqlite. Like Kafka it stores record *batches*: one row per
// partition per commit, holding many records, with a base offset; that keeps an append of a
// 5,000-reading request to a handful of row writes. Concurrent publishes within one event-loop
// turn share a transaction (group commit), so one fsync acknowledges them all.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction, migrate, openSqlite, type Synchronous } from '../sqlite.ts';
import {
  partitionFor,
  type BusConsumer,
  type BusProducer,
  type BusRecord,
  type ConsumedRecord,
  type GroupMember,
} from './bus.ts';

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

function openBus(opts: SqliteBusOptions): DatabaseSync {
  const db = openSqlite(opts.path, { synchronous: opts.synchronous });
  migrate(db, MIGRATIONS);
  return db;
}

function lagQuery(db: DatabaseSync): StatementSync {
  return db.prepare(`SELECT COALESCE(SUM(h.next_offset - COALESCE(o.next_offset, 0)), 0) AS lag
     FROM bus_head h LEFT JOIN bus_offsets o ON o.partition = h.partition AND o.grp = ?`);
}

interface Pending {
  records: BusRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class SqliteBusProducer implements BusProducer {
  private readonly db: DatabaseSync;
  private readonly partitions: number;
  private readonly insert: StatementSync;
  private readonly readHead: StatementSync;
  private readonly writeHead: StatementSync;
  private readonly lagStmt: StatementSync;
  private pending: Pending[] = [];
  private flushScheduled = false;

  constructor(opts: SqliteBusOptions) {
    this.db = openBus(opts);
    this.partitions = opts.partitions;
    this.insert = this.db.prepare(
      'INSERT INTO bus_log (partition, base_offset, count, keys, payload, headers, appended_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.readHead = this.db.prepare('SELECT next_offset FROM bus_head WHERE partition = ?');
    this.writeHead = this.db.prepare(
      'INSERT INTO bus_head (partition, next_offset) VALUES (?, ?) ON CONFLICT(partition) DO UPDATE SET next_offset = excluded.next_offset',
    );
    this.lagStmt = lagQuery(this.db);
  }

  publish(records: BusRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    try {
      this.append(batch.flatMap((p) => p.records));
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private append(records: BusRecord[]): void {
    const byPartition: { keys: string[]; values: string[]; headers: (Record<string, string> | null)[] }[] =
      [];
    for (const r of records) {
      const p = partitionFor(r.key, this.partitions);
      const slot = (byPartition[p] ??= { keys: [], values: [], headers: [] });
      slot.keys.push(r.key);
      slot.values.push(r.value);
      slot.headers.push(r.headers ?? null);
    }
    const now = Date.now();
    inTransaction(this.db, () => {
      byPartition.forEach((slot, p) => {
        const head = (this.readHead.get(p) as { next_offset: number } | undefined)?.next_offset ?? 0;
        const headers = slot.headers.some((h) => h !== null) ? JSON.stringify(slot.headers) : null;
        this.insert.run(
          p,
          head,
          slot.keys.length,
          slot.keys.join('\n'),
          slot.values.join('\n'),
          headers,
          now,
        );
        this.writeHead.run(p, head + slot.keys.length);
      });
    });
  }

  async lag(group: string): Promise<number> {
    return (this.lagStmt.get(group) as { lag: number }).lag;
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    if (this.db.isOpen) this.db.close();
  }
}

interface LogRow {
  partition: number;
  base_offset: number;
  count: number;
  keys: string;
  payload: string;
  headers: string | null;
}

export class SqliteBusConsumer implements BusConsumer {
  private readonly db: DatabaseSync;
  private readonly group: string;
  private readonly owned: number[];
  private readonly readBatches: StatementSync;
  private readonly readOffset: StatementSync;
  private readonly writeOffset: StatementSync;
  private readonly prune: StatementSync;
  private readonly dlq: StatementSync;
  private readonly lagStmt: StatementSync;

  constructor(opts: SqliteBusOptions & { group: string; member?: GroupMember }) {
    const { index, count } = opts.member ?? { index: 0, count: 1 };
    if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count))
      throw new Error(`bad group member ${index} of ${count}`);
    this.db = openBus(opts);
    this.group = opts.group;
    this.owned = Array.from({ length: opts.partitions }, (_, p) => p).filter((p) => p % count === index);
    this.readBatches = this.db.prepare(
      'SELECT partition, base_offset, count, keys, payload, headers FROM bus_log WHERE partition = ? AND base_offset + count > ? ORDER BY base_offset LIMIT ?',
    );
    this.readOffset = this.db.prepare('SELECT next_offset FROM bus_offsets WHERE grp = ? AND partition = ?');
    this.writeOffset = this.db.prepare(
      'INSERT INTO bus_offsets (grp, partition, next_offset) VALUES (?, ?, ?) ON CONFLICT(grp, partition) DO UPDATE SET next_offset = excluded.next_offset',
    );
    // Batches every group has consumed are no longer needed: the embedded bus keeps no history.
    this.prune = this.db.prepare(
      'DELETE FROM bus_log WHERE partition = ? AND base_offset + count <= (SELECT MIN(next_offset) FROM bus_offsets WHERE partition = ?)',
    );
    this.dlq = this.db.prepare(
      'INSERT INTO bus_dead_letters (partition, offset, key, value, headers, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.lagStmt = lagQuery(this.db);
  }

  async poll(maxRecords: number): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = [];
    for (const p of this.owned) {
      if (out.length >= maxRecords) break;
      const next =
        (this.readOffset.get(this.group, p) as { next_offset: number } | undefined)?.next_offset ?? 0;
      const rows = this.readBatches.all(p, next, 64) as unknown as LogRow[];
      for (const row of rows) {
        const keys = row.keys.split('\n');
        const values = row.payload.split('\n');
        const headers = row.headers ? (JSON.parse(row.headers) as (Record<string, string> | null)[]) : null;
        for (let i = Math.max(0, next - row.base_offset); i < row.count; i++) {
          const rec: ConsumedRecord = {
            partition: p,
            offset: row.base_offset + i,
            key: keys[i]!,
            value: values[i]!,
          };
          const h = headers?.[i];
          if (h) rec.headers = h;
          out.push(rec);
        }
        // Whole batches only: offsets are committed at batch boundaries.
        if (out.length >= maxRecords) break;
      }
    }
    return out;
  }

  async commit(next: ReadonlyMap<number, number>): Promise<void> {
    inTransaction(this.db, () => {
      for (const [p, offset] of next) {
        this.writeOffset.run(this.group, p, offset);
        this.prune.run(p, p);
      }
    });
  }

  async deadLetter(record: ConsumedRecord, reason: string): Promise<void> {
    const headers = record.headers ? JSON.stringify(record.headers) : null;
    this.dlq.run(record.partition, record.offset, record.key, record.value, headers, reason, Date.now());
  }

  async lag(): Promise<number> {
    return (this.lagStmt.get(this.group) as { lag: number }).lag;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
