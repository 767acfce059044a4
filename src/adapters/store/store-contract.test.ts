// The store contract on the embedded store (SQLite). pg-store.test.ts runs it on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStoreWriter } from './sqlite-store-writer.ts';
import { SqliteStoreReader } from './sqlite-store-reader.ts';
import { storeContract } from './store-contract.ts';

storeContract('sqlite', async (locate) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-store-'));
  const opts = { path: join(dir, 'store.db'), synchronous: 'NORMAL' as const };
  const writer = new SqliteStoreWriter(opts, locate);
  const reader = new SqliteStoreReader(opts);
  return {
    writer,
    reader,
    async cleanup() {
      await writer.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
