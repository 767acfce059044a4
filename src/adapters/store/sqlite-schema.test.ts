import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from '../sqlite.ts';
import { STORE_MIGRATIONS } from './sqlite-schema.ts';
import { SqliteStoreReader } from './sqlite-store-reader.ts';

test('a store made by version 1 keeps its readings through the series-id migration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-schema-'));
  const path = join(dir, 'store.db');
  try {
    const old = new DatabaseSync(path);
    migrate(old, STORE_MIGRATIONS.slice(0, 1));
    const insert = old.prepare(
      `INSERT INTO meter_readings (meter_id, obis, interval_start, interval_s, value, unit, quality, received_at)
       VALUES (?, ?, ?, 900, ?, 'kWh', 0, 0)`,
    );
    for (const [meter, obis, slot, value] of [
      ['M1', '1-0:1.8.0', 0, 1.5],
      ['M1', '1-0:1.8.0', 1, 2.5],
      ['M1', '1-0:2.8.0', 0, 0.5],
      ['M2', '1-0:1.8.0', 0, 3],
    ] as const)
      insert.run(meter, obis, slot * 900_000, value);
    old.close();
    const logged: string[] = [];
    const log = { info: (f: Record<string, unknown>, msg: string) => logged.push(`${msg} ${f.version}`) };
    const reader = new SqliteStoreReader({ path, log }); // migrates to the newest version
    const versions = STORE_MIGRATIONS.map((_, i) => i + 1).slice(1);
    assert.deepEqual(
      logged,
      versions.flatMap((v) => [`applying migration ${v}`, `migration applied ${v}`]),
    );
    const of = async (meterId: string, obis?: string) =>
      (await reader.readings({ meterId, obis, from: 0, to: 10 * 900_000, limit: 10 })).map((r) => r.value);
    assert.deepEqual(await of('M1'), [1.5, 2.5]);
    assert.deepEqual(await of('M1', '1-0:2.8.0'), [0.5]);
    assert.deepEqual(await of('M2'), [3]);
    await reader.close();
    // Up to date: a second open applies and says nothing.
    logged.length = 0;
    await new SqliteStoreReader({ path, log }).close();
    assert.deepEqual(logged, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
