import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeriesIds } from './series-ids.ts';
import { SqliteStoreWriter } from './sqlite-store-writer.ts';
import { SqliteStoreReader } from './sqlite-store-reader.ts';
import { OBIS, type MeterReading } from '../../domain/readings.ts';
import type { StoreBatch } from './store.ts';

test('ids learned in a transaction count only once it commits', () => {
  const ids = new SeriesIds();
  ids.add('M1', OBIS.ACTIVE_IMPORT, 1);
  assert.equal(ids.get('M1', OBIS.ACTIVE_IMPORT), 1, 'seen within the transaction');
  ids.rollback();
  assert.equal(ids.get('M1', OBIS.ACTIVE_IMPORT), undefined);
  ids.add('M1', OBIS.ACTIVE_IMPORT, 2);
  ids.commit();
  ids.rollback();
  assert.equal(ids.get('M1', OBIS.ACTIVE_IMPORT), 2);
});

const reading = (meterId: string, value: number): MeterReading => ({
  meterId,
  obis: OBIS.ACTIVE_IMPORT,
  intervalStart: Date.UTC(2026, 0, 1),
  intervalSeconds: 900,
  value,
  unit: 'kWh',
  quality: 0,
  receivedAt: Date.UTC(2026, 0, 1, 0, 20),
});
const batch = (...meterReadings: MeterReading[]): StoreBatch => ({
  meterReadings,
  sensorReadings: [],
  unknown: [],
  events: [],
});

test('a series made by a failed write is not reused after another writer took its id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-series-'));
  const path = join(dir, 'store.db');
  const a = new SqliteStoreWriter({ path }, () => undefined);
  const b = new SqliteStoreWriter({ path }, () => undefined);
  const reader = new SqliteStoreReader({ path });
  try {
    // NULL value: the NOT NULL constraint fails the write after M1's series row was made.
    await assert.rejects(a.writeBatch(batch(reading('M1', 1), reading('M1x', null as unknown as number))));
    await b.writeBatch(batch(reading('M2', 2))); // takes the id M1 had in the rolled-back write
    await a.writeBatch(batch(reading('M1', 1)));
    const of = async (meterId: string) =>
      (await reader.readings({ meterId, from: 0, to: Date.UTC(2027, 0, 1), limit: 10 })).map((r) => r.value);
    assert.deepEqual(await of('M1'), [1]);
    assert.deepEqual(await of('M2'), [2]);
  } finally {
    await a.close();
    await b.close();
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
