import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTransaction } from '../sqlite.ts';
import { openStoreDb } from './sqlite-store-writer.ts';
import { ROWS_PER_INSERT, SeriesReadingInserts, seriesOrder } from './sqlite-reading-inserts.ts';
import type { MeterReading } from '../../domain/readings.ts';

const T0 = Date.UTC(2026, 0, 1);
const reading = (slot: number, value: number): MeterReading => ({
  meterId: 'M',
  obis: '1-0:1.8.0',
  intervalStart: T0 + slot * 900_000,
  intervalSeconds: 900,
  value,
  unit: 'kWh',
  quality: 0,
  receivedAt: T0,
});

function withStore(fn: (db: ReturnType<typeof openStoreDb>, inserts: SeriesReadingInserts) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-inserts-'));
  const db = openStoreDb({ path: join(dir, 'store.db') });
  try {
    fn(db, new SeriesReadingInserts(db));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const values = (db: ReturnType<typeof openStoreDb>) =>
  (
    db.prepare('SELECT interval_start, value FROM series_readings ORDER BY interval_start').all() as {
      interval_start: number;
      value: number;
    }[]
  ).map((r) => [(r.interval_start - T0) / 900_000, r.value]);

/** Inserts the batch (every reading of series 1) in a transaction: the count and the positions reported stored. */
function insertAll(db: ReturnType<typeof openStoreDb>, inserts: SeriesReadingInserts, batch: MeterReading[]) {
  const stored: number[] = [];
  const n = inTransaction(db, () =>
    inserts.insert(
      batch,
      batch.map(() => 1),
      (i) => stored.push(i),
    ),
  );
  return { n, stored };
}

test('a batch of new keys: every reading inserted, none reported stored, the tail row by row', () => {
  withStore((db, inserts) => {
    const batch = Array.from({ length: 2 * ROWS_PER_INSERT + 3 }, (_, s) => reading(s, s));
    const { n, stored } = insertAll(db, inserts, batch);
    assert.equal(n, batch.length);
    assert.deepEqual(stored, []);
    assert.deepEqual(
      values(db),
      batch.map((_, s) => [s, s]),
    );
  });
});

test('keys stored before and keys twice in the batch: reported in batch order, first copy kept', () => {
  withStore((db, inserts) => {
    // Slots 3 and 12 were stored by an earlier batch (value 100 + slot).
    inTransaction(db, () => inserts.insert([reading(3, 103), reading(12, 112)], [1, 1], () => assert.fail()));
    // A batch of 2.5 statements' worth: slot 3 again (first chunk), slot 5 twice in the first
    // chunk, slot 12 again (second chunk), slot 21 twice across the second chunk and the tail.
    const slots = [0, 1, 2, 3, 4, 5, 6, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 21, 16, 17, 18, 19, 21, 20, 22];
    assert.ok(slots.length > 2 * ROWS_PER_INSERT && slots.length % ROWS_PER_INSERT !== 0);
    const batch = slots.map((s, i) => reading(s, 1000 + i));
    const { n, stored } = insertAll(db, inserts, batch);
    const expected = [3, 7, 13, 22]; // positions of slot 3, the second 5, slot 12, the second 21
    assert.deepEqual(stored, expected);
    assert.equal(n, batch.length - expected.length);
    const byslot = new Map(values(db) as [number, number][]);
    assert.equal(byslot.get(3), 103, 'an earlier batch keeps its value');
    assert.equal(byslot.get(12), 112);
    assert.equal(byslot.get(5), 1005, 'the first copy in the batch wins');
    assert.equal(byslot.get(21), 1017);
    assert.equal(byslot.size, 23);
  });
});

test('a statement that inserts nothing (a replayed chunk) reports every reading', () => {
  withStore((db, inserts) => {
    const batch = Array.from({ length: ROWS_PER_INSERT }, (_, s) => reading(s, s));
    assert.deepEqual(insertAll(db, inserts, batch).stored, []);
    const { n, stored } = insertAll(db, inserts, batch);
    assert.equal(n, 0);
    assert.deepEqual(
      stored,
      batch.map((_, i) => i),
    );
  });
});

test('seriesOrder: by series id, batch order within a series; ids too large keep the batch order', () => {
  assert.deepEqual([...seriesOrder([3, 1, 2, 1, 3, 2])], [1, 3, 2, 5, 0, 4]);
  assert.deepEqual([...seriesOrder([])], []);
  const huge = [2 ** 52, 5, 2 ** 52 - 1];
  assert.deepEqual([...seriesOrder(huge)], [0, 1, 2]);
});

test('several series out of order: rows go in by series, repeats still reported in batch order', () => {
  withStore((db, inserts) => {
    // Series 2 slot 0 was stored before. The batch interleaves series 3, 2, 1 and repeats
    // (series 1, slot 1) at positions 4 and 11, and (series 2, slot 0) at position 1.
    inTransaction(db, () => inserts.insert([reading(0, 50)], [2], () => assert.fail()));
    const keys: [number, number][] = [
      [3, 0],
      [2, 0],
      [1, 0],
      [3, 1],
      [1, 1],
      [2, 1],
      [3, 2],
      [1, 2],
      [2, 2],
      [3, 3],
      [2, 3],
      [1, 1],
      [1, 3],
    ];
    assert.ok(keys.length > ROWS_PER_INSERT);
    const batch = keys.map(([, slot], i) => reading(slot, 100 + i));
    const stored: number[] = [];
    const n = inTransaction(db, () =>
      inserts.insert(
        batch,
        keys.map(([series]) => series),
        (i) => stored.push(i),
      ),
    );
    assert.deepEqual(stored, [1, 11]);
    assert.equal(n, keys.length - 2);
    const rows = db
      .prepare('SELECT series, interval_start, value FROM series_readings ORDER BY rowid')
      .all() as { series: number; interval_start: number; value: number }[];
    const got = rows.map((r) => [r.series, (r.interval_start - T0) / 900_000, r.value]);
    // Inserted by series: the earlier row first, then series 1, 2, 3 each in batch order.
    assert.deepEqual(got, [
      [2, 0, 50],
      [1, 0, 102],
      [1, 1, 104],
      [1, 2, 107],
      [1, 3, 112],
      [2, 1, 105],
      [2, 2, 108],
      [2, 3, 110],
      [3, 0, 100],
      [3, 1, 103],
      [3, 2, 106],
      [3, 3, 109],
    ]);
  });
});
