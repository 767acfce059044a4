import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStoreWriter } from './sqlite-store-writer.ts';
import { batch, locate, reading } from './store-fixtures.ts';
import { OBIS } from '../../domain/readings.ts';

test('recentReadings: a writer that did not store a series (another one, or before a restart) reads its history', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-writer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'store.db');
  const first = new SqliteStoreWriter({ path }, locate);
  await first.writeBatch(batch([1, 2, 3, 4].map((slot) => reading('MTR-1', slot, slot / 10))));
  await first.writeBatch(batch([reading('MTR-2', 0, 7)]));
  const fresh = new SqliteStoreWriter({ path }, locate);
  t.after(() => Promise.all([first.close(), fresh.close()]));
  const [one, two, unknown, otherChannel] = await fresh.recentReadings(
    [
      { meterId: 'MTR-1', obis: OBIS.ACTIVE_IMPORT },
      { meterId: 'MTR-2', obis: OBIS.ACTIVE_IMPORT },
      { meterId: 'MTR-3', obis: OBIS.ACTIVE_IMPORT },
      { meterId: 'MTR-1', obis: OBIS.ACTIVE_EXPORT },
    ],
    3,
  );
  assert.deepEqual(
    one!.map((r) => [r.meterId, r.obis, r.value]),
    [0.2, 0.3, 0.4].map((v) => ['MTR-1', OBIS.ACTIVE_IMPORT, v]),
  );
  assert.deepEqual(await first.recentReadings([{ meterId: 'MTR-1', obis: OBIS.ACTIVE_IMPORT }], 3), [one]);
  assert.deepEqual(
    two!.map((r) => [r.meterId, r.value]),
    [['MTR-2', 7]],
  );
  assert.deepEqual([unknown, otherChannel], [[], []]);
});
