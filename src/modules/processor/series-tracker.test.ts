import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holesIn, SeriesTracker } from './series-tracker.ts';
import { Quality } from '../../domain/readings.ts';
import { ValueWindow } from '../../domain/value-window.ts';
import type { SeriesKey, StoreWriter, StoredMeterReading } from '../../adapters/store/store.ts';

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

/** A store whose history reads can fail; it records the series each read asked for. */
function historyStore(failFor: Set<string>) {
  const calls: string[][] = [];
  const store = {
    async recentReadings(series: SeriesKey[]) {
      calls.push(series.map((s) => s.meterId));
      await new Promise((r) => setTimeout(r, 2));
      if (series.some((s) => failFor.has(s.meterId))) throw new Error('store down');
      return series.map(({ meterId }) => [row(meterId, 1, 0.4), row(meterId, 2, 0.4), row(meterId, 3, 0.4)]);
    },
  } as unknown as StoreWriter;
  return { store, calls };
}

test('preload reads each new series once, in one batched read, and rebuilds VEE state', async () => {
  const { store, calls } = historyStore(new Set());
  const t = new SeriesTracker();
  const series = Array.from({ length: 40 }, (_, i) => t.series(`M${i}`, '1-0:1.8.0'));
  await t.preload(store, [...series, ...series], 0);
  assert.equal(calls.length, 1, 'one read for the batch');
  assert.deepEqual(
    calls[0],
    series.map((s) => s.id),
    'each series once, duplicates in the batch included',
  );
  const m7 = t.series('M7', '1-0:1.8.0').vee!;
  assert.deepEqual(
    { ...m7, recent: m7.recent.toArray() },
    {
      lastStart: 3 * 900_000,
      lastValue: 0.4,
      intervalSeconds: 900,
      repeats: 3,
      recent: [0.4, 0.4, 0.4],
    },
  );
  assert.equal(t.lastSeen.get('M7'), 4 * 900_000);
  await t.preload(store, series, 0);
  assert.equal(calls.length, 1, 'loaded series are not read again');
});

test('a series whose history read failed is read again when the batch is retried', async () => {
  const fail = new Set(['M1']);
  const { store, calls } = historyStore(fail);
  const t = new SeriesTracker();
  const series = [t.series('M0', '1-0:1.8.0'), t.series('M1', '1-0:1.8.0')];
  await assert.rejects(t.preload(store, series, 0), /store down/);
  fail.clear();
  await t.preload(store, series, 0);
  assert.ok(t.series('M1', '1-0:1.8.0').vee, 'M1 loaded on the retry');
  assert.equal(calls.flat().filter((m) => m === 'M1').length, 2);
});

test('rollback puts every series changed since begin() back as it was; commit keeps changes', () => {
  const t = new SeriesTracker();
  const s = t.series('M1', '1-0:1.8.0');
  const window = { values: ValueWindow.of([1, 2]) };
  s.anomaly[3] = window;
  t.begin();
  t.touch(s);
  s.anomaly[3] = { values: ValueWindow.of([1, 2, 3]) };
  s.anomaly[4] = window;
  s.anomalySign = 2;
  t.touch(s); // a second change in the same batch keeps the first snapshot
  s.anomalySign = -1;
  t.lastSeen.set('M1', 5);
  t.rollback();
  assert.equal(s.anomaly[3], window);
  assert.equal(s.anomaly[4], undefined);
  assert.equal(s.anomalySign, 0);
  assert.equal(t.lastSeen.has('M1'), false);
  t.begin();
  t.touch(s);
  s.anomalySign = 1;
  t.commit();
  t.rollback(); // nothing to undo after a commit
  assert.equal(s.anomalySign, 1);
});

test('forgetPartitions drops the series of lost partitions whole, as a restart would; the rest stay', () => {
  const t = new SeriesTracker();
  const kept = t.series('M1', '1-0:1.8.0');
  const lost = t.series('M2', '1-0:1.8.0');
  const lostSensor = t.series('S2', 'voltage');
  kept.partition = 0;
  lost.partition = lostSensor.partition = 1;
  for (const s of [kept, lost, lostSensor]) {
    s.anomaly[3] = { values: ValueWindow.of([1, 2]) };
    s.anomalySign = 2;
    s.loaded = true;
  }
  t.lastSeen.set('M1', 5);
  t.lastSeen.set('M2', 5);
  t.lastGasp.set('M2', 4);
  t.forgetPartitions(new Set([1]));
  assert.equal(t.size(), 1);
  assert.equal(t.series('M1', '1-0:1.8.0'), kept, 'a kept series is the same object, windows and all');
  assert.equal(kept.anomalySign, 2);
  assert.equal(t.lastSeen.get('M1'), 5);
  assert.equal(t.lastSeen.has('M2'), false);
  assert.equal(t.lastGasp.has('M2'), false);
  // Should partition 1 come back, its series start afresh: no stale window, history to reload.
  const again = t.series('M2', '1-0:1.8.0');
  assert.notEqual(again, lost);
  assert.deepEqual([again.anomaly, again.anomalySign, again.loaded], [[], 0, false]);
  assert.deepEqual(t.series('S2', 'voltage').anomaly, []);
});

test('holesIn estimates the holes VEE bridges, on the line between their neighbours', () => {
  const now = 123;
  const est = holesIn([row('M', 1, 0.2), row('M', 2, 0.4), row('M', 5, 1.0), row('M', 6, 1.0)], now);
  assert.deepEqual(
    est.map((e) => [
      e.intervalStart / 900_000,
      Number(e.value.toFixed(6)),
      e.quality,
      e.receivedAt,
      e.meterId,
    ]),
    [
      [3, 0.6, Quality.ESTIMATED, now, 'M'],
      [4, 0.8, Quality.ESTIMATED, now, 'M'],
    ],
  );
  assert.deepEqual(holesIn([row('M', 1, 0.2), row('M', 2, 0.4)], now), [], 'no hole');
  // An hour of silence (4 slots) is bridged, more is not (VEE's maxEstimateGapMs).
  assert.equal(holesIn([row('M', 1, 0.2), row('M', 6, 0.4)], now).length, 4);
  assert.equal(holesIn([row('M', 1, 0.2), row('M', 7, 0.4)], now).length, 0);
  // A change of interval length starts the series over in VEE: nothing to bridge.
  const hourly = { ...row('M', 8, 0.4), intervalSeconds: 3600 };
  assert.equal(holesIn([row('M', 1, 0.2), hourly], now).length, 0);
});

test('preload returns the holes of the histories it loads, once', async () => {
  const store = {
    async recentReadings(series: SeriesKey[]) {
      return series.map(({ meterId }) =>
        meterId === 'GAP'
          ? [row(meterId, 1, 0.4), row(meterId, 4, 0.4)]
          : [row(meterId, 1, 0.4), row(meterId, 2, 0.4)],
      );
    },
  } as unknown as StoreWriter;
  const t = new SeriesTracker();
  const series = [t.series('OK', '1-0:1.8.0'), t.series('GAP', '1-0:1.8.0')];
  const holes = await t.preload(store, series, 0);
  assert.deepEqual(
    holes.map((h) => [h.series.id, h.estimates.map((e) => e.intervalStart / 900_000)]),
    [['GAP', [2, 3]]],
  );
  assert.deepEqual(await t.preload(store, series, 0), [], 'loaded series are not read again');
});
