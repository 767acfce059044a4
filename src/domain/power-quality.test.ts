import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MS } from './readings.ts';
import { pqFlush, pqStep, tenMinuteMeans, type PqEvent, type PqState } from './power-quality.ts';

const W0 = Date.UTC(2026, 0, 5, 10, 0); // a 10-minute boundary
const min = (n: number): number => W0 + n * MS.minute;

/** Feeds (minute, value) samples of one sensor; returns all events including the flush. */
function feed(
  sensorType: 'voltage' | 'frequency',
  samples: [number, number][],
  nominal = sensorType === 'voltage' ? 230 : 50,
): { events: PqEvent[]; flushed: PqEvent[]; state: PqState | undefined } {
  let state: PqState | undefined;
  const events: PqEvent[] = [];
  for (const [m, value] of samples) {
    const r = pqStep(state, { sensorId: 'SNS-1', sensorType, ts: min(m), value }, nominal);
    state = r.state;
    events.push(...r.events);
  }
  return { events, flushed: pqFlush(state, sensorType, 'SNS-1', nominal), state };
}

const minutes = (from: number, to: number, value: number): [number, number][] =>
  Array.from({ length: to - from }, (_, i) => [from + i, value]);

test('normal voltage over several windows raises nothing', () => {
  const r = feed('voltage', [...minutes(0, 25, 231), [25, 208], [26, 252]]);
  assert.deepEqual(r.events, []);
  assert.deepEqual(r.flushed, []);
});

test('a 10-minute mean above +10 % is reported when the next window starts', () => {
  // 5 x 250 + 5 x 260 = mean 255 V > 253 V; every sample on its own is above the dip level.
  const samples: [number, number][] = [...minutes(0, 5, 250), ...minutes(5, 10, 260)];
  const before = feed('voltage', samples);
  assert.deepEqual(before.events, []); // window still open
  const r = feed('voltage', [...samples, [10, 230]]);
  assert.equal(r.events.length, 1);
  const [e] = r.events;
  assert.equal(e!.type, 'voltage_deviation');
  assert.equal(e!.start, W0);
  assert.equal(e!.end, min(10));
  assert.equal(e!.value, 255);
  assert.equal(e!.nominal, 230);
  assert.match(e!.detail, /255\.0 V \(110\.9 %/);
  assert.deepEqual(r.flushed, []);
});

test('a mean of exactly +10 % is not a deviation', () => {
  assert.deepEqual(feed('voltage', [...minutes(0, 10, 253), [10, 230]]).events, []);
});

test('flush closes the open window', () => {
  const r = feed('voltage', minutes(0, 3, 260));
  assert.deepEqual(r.events, []);
  assert.deepEqual(
    r.flushed.map((e) => [e.type, e.start, e.value]),
    [['voltage_deviation', W0, 260]],
  );
});

test('consecutive dip samples merge into one event with the minimum, closed by a normal sample', () => {
  // The rest of the window is normal, so the mean (7 x 230 + 500) / 10 = 211 V stays in band.
  const r = feed('voltage', [[0, 230], [1, 180], [2, 150], [3, 170], ...minutes(4, 10, 230)]);
  assert.equal(r.events.length, 1);
  const [e] = r.events;
  assert.deepEqual(
    { type: e!.type, start: e!.start, end: e!.end, value: e!.value },
    { type: 'voltage_dip', start: min(1), end: min(3), value: 150 },
  );
  assert.match(e!.detail, /dip to 150 V \(65\.2 % of 230 V\)/);
  assert.deepEqual(r.flushed, []);
});

test('dip and interruption thresholds: 90 % and 1 % of nominal', () => {
  // A one-sample window is also a 10-minute deviation; only the per-sample kinds matter here.
  const kinds = (v: number): string[] =>
    feed('voltage', [[0, v]])
      .flushed.map((e) => e.type)
      .filter((t) => t !== 'voltage_deviation');
  assert.deepEqual(kinds(207), []); // exactly 90 %
  assert.deepEqual(kinds(206.9), ['voltage_dip']);
  assert.deepEqual(kinds(2.3), ['voltage_dip']); // exactly 1 %
  assert.deepEqual(kinds(2.29), ['interruption']);
  assert.deepEqual(kinds(2.2999), ['interruption']);
  assert.deepEqual(kinds(206.9999), ['voltage_dip']);
  assert.deepEqual(kinds(0), ['interruption']);
});

test('a change of kind closes one event and opens another', () => {
  const r = feed('voltage', [
    [0, 150],
    [1, 0],
    [2, 0],
    [3, 100],
    [4, 230],
  ]);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.start, e.end, e.value]),
    [
      ['voltage_dip', min(0), min(0), 150],
      ['interruption', min(1), min(2), 0],
      ['voltage_dip', min(3), min(3), 100],
    ],
  );
});

test('an event still open at the end of the stream comes out of the flush', () => {
  const r = feed('voltage', [
    [0, 230],
    [1, 0.5],
    [2, 0.2],
  ]);
  assert.deepEqual(r.events, []);
  assert.deepEqual(
    r.flushed.map((e) => [e.type, e.start, e.end, e.value]),
    [['interruption', min(1), min(2), 0.2]],
  );
});

test('a dip spanning a window boundary stays one event', () => {
  const r = feed('voltage', [...minutes(0, 9, 230), [9, 160], [10, 150], ...minutes(11, 20, 231)]);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.start, e.end, e.value]),
    [['voltage_dip', min(9), min(10), 150]],
  );
});

test('sustained low voltage is both a dip and a 10-minute deviation', () => {
  const r = feed('voltage', [...minutes(0, 10, 200), [10, 230]]);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.start, e.end, e.value]),
    [
      ['voltage_deviation', W0, min(10), 200],
      ['voltage_dip', min(0), min(9), 200],
    ],
  );
});

test('interruption samples are left out of the 10-minute mean (EN 50160)', () => {
  const r = feed('voltage', [...minutes(0, 5, 230), ...minutes(5, 10, 0), [10, 230]]);
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['interruption'],
  );
  // A window made only of interruption samples has no mean to judge either.
  assert.deepEqual(
    feed('voltage', minutes(0, 10, 0)).flushed.map((e) => e.type),
    ['interruption'],
  );
});

test('frequency outside +/-1 % merges consecutive samples, keeping the furthest value', () => {
  const r = feed('frequency', [
    [0, 50.4],
    [1, 50.6],
    [2, 50.8],
    [3, 50.7],
    [4, 50.0],
    [5, 49.4],
  ]);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.start, e.end, e.value]),
    [['frequency_deviation', min(1), min(3), 50.8]],
  );
  assert.match(r.events[0]!.detail, /50\.8 Hz outside 50 Hz/);
  assert.deepEqual(
    r.flushed.map((e) => [e.type, e.start, e.value]),
    [['frequency_deviation', min(5), 49.4]],
  );
});

test('frequency at exactly +/-1 % is normal and has no 10-minute rule', () => {
  const r = feed('frequency', [...minutes(0, 10, 50.5), ...minutes(10, 20, 49.5), [20, 50]]);
  assert.deepEqual(r.events, []);
  assert.deepEqual(r.flushed, []);
});

test('late samples from a closed window and non-finite values are ignored', () => {
  const a = feed('voltage', [
    [10, 230],
    [11, 231],
  ]).state!;
  const late = pqStep(a, { sensorId: 'SNS-1', sensorType: 'voltage', ts: min(5), value: 0 }, 230);
  assert.deepEqual(late.state, a);
  assert.notEqual(late.state, a); // a fresh object even when nothing changed
  assert.deepEqual(late.events, []);
  const nan = pqStep(a, { sensorId: 'SNS-1', sensorType: 'voltage', ts: min(12), value: NaN }, 230);
  assert.deepEqual(nan.state, a);
  assert.deepEqual(nan.events, []);
});

test('a first sample without a usable value or time leaves an empty state', () => {
  const a = pqStep(undefined, { sensorId: 'SNS-1', sensorType: 'voltage', ts: NaN, value: 230 }, 230);
  assert.deepEqual(a.events, []);
  assert.equal(a.state.count, 0);
  const b = pqStep(a.state, { sensorId: 'SNS-1', sensorType: 'voltage', ts: min(0), value: 100 }, 230);
  assert.deepEqual(b.state.windowStart, W0);
  assert.equal(b.state.count, 1);
  assert.deepEqual(
    pqStep(undefined, { sensorId: 'S', sensorType: 'voltage', ts: min(0), value: 0 }, 0).events,
    [],
  );
});

test('the state accumulates the window and is never mutated', () => {
  const a = feed('voltage', [
    [0, 230],
    [1, 240],
  ]).state!;
  assert.deepEqual(a, { windowStart: W0, sum: 470, count: 2 });
  const frozen = Object.freeze({ ...a });
  const b = pqStep(frozen, { sensorId: 'SNS-1', sensorType: 'voltage', ts: min(2), value: 100 }, 230);
  assert.deepEqual(frozen, { windowStart: W0, sum: 470, count: 2 });
  assert.equal(b.state.count, 3);
  assert.equal(b.state.openEvent?.type, 'voltage_dip');
});

test('pqFlush without state has nothing to say', () => {
  assert.deepEqual(pqFlush(undefined, 'voltage', 'SNS-1', 230), []);
});

test('tenMinuteMeans groups by UTC-aligned window, oldest first', () => {
  const means = tenMinuteMeans([
    { ts: min(12), value: 240 },
    { ts: min(0), value: 220 },
    { ts: min(9) + 59_999, value: 230 },
    { ts: min(10), value: 250 },
    { ts: min(3), value: NaN },
  ]);
  assert.deepEqual(means, [
    { start: W0, mean: 225, count: 2 },
    { start: min(10), mean: 245, count: 2 },
  ]);
  assert.deepEqual(tenMinuteMeans([]), []);
});

test('property: streamed deviations are exactly the batch windows outside +/-10 %', () => {
  // Values stay above the interruption level, where both views see the same samples.
  const sample = fc.record({
    minute: fc.integer({ min: 0, max: 59 }),
    value: fc.integer({ min: 5, max: 300 }),
  });
  fc.assert(
    fc.property(fc.array(sample, { maxLength: 60 }), (raw) => {
      const samples = [...raw]
        .sort((a, b) => a.minute - b.minute)
        .map((s) => ({ ts: min(s.minute), value: s.value }));
      let state: PqState | undefined;
      const events: PqEvent[] = [];
      for (const s of samples) {
        const r = pqStep(state, { sensorId: 'S', sensorType: 'voltage', ...s }, 230);
        state = r.state;
        events.push(...r.events);
      }
      events.push(...pqFlush(state, 'voltage', 'S', 230));
      const streamed = events.filter((e) => e.type === 'voltage_deviation').map((e) => [e.start, e.value]);
      const batch = tenMinuteMeans(samples)
        .filter((w) => Math.abs(w.mean - 230) > 23)
        .map((w) => [w.start, w.mean]);
      assert.equal(streamed.length, batch.length);
      streamed.forEach(([start, mean], i) => {
        assert.equal(start, batch[i]![0]);
        assert.ok(Math.abs(mean! - batch[i]![1]!) < 1e-9);
      });
    }),
  );
});
