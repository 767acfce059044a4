// The bus contract on the embedded bus (SQLite). kafka-bus.test.ts runs it on Kafka.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteBusConsumer } from './sqlite-bus.ts';
import { SqliteBusProducer } from './sqlite-bus-producer.ts';
import { busContract, type DeadLetter } from './bus-contract.ts';

busContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-bus-'));
  const opts = { path: join(dir, 'bus.db'), partitions: 4, synchronous: 'NORMAL' as const };
  const producer = new SqliteBusProducer(opts);
  const group = 'processor';
  return {
    producer,
    group,
    consumer: async () => new SqliteBusConsumer({ ...opts, group }),
    async deadLetters(): Promise<DeadLetter[]> {
      const db = new DatabaseSync(opts.path, { readOnly: true });
      try {
        const rows = db.prepare('SELECT key, value, headers, reason FROM bus_dead_letters ORDER BY id').all();
        return rows.map((r) => ({
          key: String(r.key),
          value: String(r.value),
          reason: String(r.reason),
          headers: r.headers ? (JSON.parse(String(r.headers)) as Record<string, string>) : {},
        }));
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await producer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
