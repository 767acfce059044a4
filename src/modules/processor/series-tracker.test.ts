import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesTracker } from './series-tracker.ts';
import type { StoreWriter, StoredMeterReading } from '../../adapters/store/store.ts';

const row = (meterId: string, slot: number, value: number): StoredMeterReading => ({
  meterId,
  obis: '1-0:1.8.0',
  intervalStart: slot * 900_000,
  intervalSeconds: 900,
  value,
  rawValue: null,
  unit: 'kWh',
  quality: 0,
});

/** A store whose history reads can fail and whose reads in flight are counted. */
function historyStore(failFor: Set<string>) {
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: string[] = [];
  const store = {
    async recentReadings(meterId: string) {
      calls.push(meterId);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (failFor.has(meterId)) throw new Error('store down');
      return [row(meterId, 1, 0.4), row(meterId, 2, 0.4), row(meterId, 3, 0.4)];
    },
  } as unknown as StoreWriter;
  return { store, calls, maxInFlight: () => maxInFlight };
}

test('preload reads each new series once, several at a time, and rebuilds VEE state', async () => {
  const { store, calls, maxInFlight } = historyStore(new Set());
  const t = new SeriesTracker();
  const series: [string, string][] = Array.from({ length: 40 }, (_, i) => [`M${i}`, '1-0:1.8.0']);
  await t.preload(store, [...series, ...series]);
  assert.equal(calls.length, 40, 'one read per series, duplicates in the batch included');
  assert.ok(maxInFlight() > 1 && maxInFlight() <= 8, `reads in flight: ${maxInFlight()}`);
  assert.deepEqual(t.vee.get('M7|1-0:1.8.0'), {
    lastStart: 3 * 900_000,
    lastValue: 0.4,
    intervalSeconds: 900,
    repeats: 3,
    recent: [0.4, 0.4, 0.4],
  });
  assert.equal(t.lastSeen.get('M7'), 4 * 900_000);
  await t.preload(store, series);
  assert.equal(calls.length, 40, 'loaded series are not read again');
});

test('a series whose history read failed is read again when the batch is retried', async () => {
  const fail = new Set(['M1']);
  const { store, calls } = historyStore(fail);
  const t = new SeriesTracker();
  const series: [string, string][] = [
    ['M0', '1-0:1.8.0'],
    ['M1', '1-0:1.8.0'],
  ];
  await assert.rejects(t.preload(store, series), /store down/);
  fail.clear();
  await t.preload(store, series);
  assert.ok(t.vee.has('M1|1-0:1.8.0'), 'M1 loaded on the retry');
  assert.equal(calls.filter((m) => m === 'M1').length, 2);
});
