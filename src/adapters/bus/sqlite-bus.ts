// The embedded bus's consumer on node:sqlite: reads the log's record batches of its partitions
// after the group's committed offsets (see sqlite-bus-log.ts for the log, and
// sqlite-bus-producer.ts for the producer).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction } from '../sqlite.ts';
import type { BusConsumer, ConsumedRecord, GroupMember } from './bus.ts';
import { lagQuery, openBus, type SqliteBusOptions } from './sqlite-bus-log.ts';

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
