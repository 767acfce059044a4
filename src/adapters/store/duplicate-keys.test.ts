import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_CHANGE, resolveDuplicate } from './duplicate-keys.ts';
import { Quality, type MeterReading } from '../../domain/readings.ts';
import type { StoreWriteResult } from './store.ts';

const result = (): StoreWriteResult => ({
  inserted: 0,
  unchanged: 0,
  conflicts: [],
  replacedEstimates: 0,
  transformerTotals: [],
  derivedEvents: [],
});
const reading = (value: number, quality = 0): MeterReading => ({
  meterId: 'M',
  obis: '1-0:1.8.0',
  intervalStart: 0,
  intervalSeconds: 900,
  value,
  unit: 'kWh',
  quality,
  receivedAt: 0,
});

test('a real reading replaces a stored estimate; the rollup gets the difference', () => {
  const r = result();
  assert.deepEqual(resolveDuplicate(reading(0.7), { value: 0.5, quality: Quality.ESTIMATED }, r), {
    energyKwh: 0.7 - 0.5,
    readings: 0,
    estimated: -1,
  });
  assert.equal(r.replacedEstimates, 1);
});

test('a replay, or an estimate over anything, changes nothing', () => {
  const r = result();
  assert.equal(resolveDuplicate(reading(0.5), { value: 0.5, quality: 0 }, r), NO_CHANGE);
  assert.equal(resolveDuplicate(reading(0.9, Quality.ESTIMATED), { value: 0.5, quality: 0 }, r), NO_CHANGE);
  assert.equal(
    resolveDuplicate(reading(0.9, Quality.ESTIMATED), { value: 0.5, quality: Quality.ESTIMATED }, r),
    NO_CHANGE,
  );
  assert.equal(r.unchanged, 3);
  assert.deepEqual(r.conflicts, []);
});

test('a different real value is a conflict: the first stored value wins', () => {
  const r = result();
  assert.equal(resolveDuplicate(reading(0.9), { value: 0.5, quality: 0 }, r), NO_CHANGE);
  assert.deepEqual(r.conflicts, [
    { meterId: 'M', obis: '1-0:1.8.0', intervalStart: 0, storedValue: 0.5, rejectedValue: 0.9 },
  ]);
});
