import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, OBIS, Quality } from './readings.ts';
import { applyVee } from './vee.ts';
import { plain, Q, reading, rules, run, T0 } from './vee-test-helpers.ts';

test('a clean first reading passes unchanged and starts the series state', () => {
  const r = applyVee(reading(0, 1.2), undefined);
  assert.deepEqual(r.reading, reading(0, 1.2));
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.estimates, []);
  assert.deepEqual(plain(r.state), {
    lastStart: T0,
    lastValue: 1.2,
    intervalSeconds: 900,
    repeats: 1,
    recent: [1.2],
  });
});

test('a reading nothing is found in is passed on as the same object; a flagged one is a copy', () => {
  const first = applyVee(reading(0, 1.2), undefined);
  const clean = reading(1, 1.3);
  assert.equal(applyVee(clean, first.state).reading, clean);
  const spiky = reading(1, 13);
  const flagged = applyVee(spiky, first.state);
  assert.notEqual(flagged.reading, spiky);
  assert.equal(spiky.quality, Quality.VALID, 'the input is never changed');
});

test('range: above maxKw * interval hours is edited to the last value, raw kept', () => {
  // 50 kW over 15 min = 12.5 kWh.
  const [, ok, bad] = run([1.2, 12.5, 13]);
  assert.deepEqual(rules(ok!), []);
  assert.equal(ok!.reading.quality, Quality.VALID);
  assert.deepEqual(rules(bad!), ['range']);
  assert.equal(bad!.reading.value, 12.5);
  assert.equal(bad!.reading.rawValue, 13);
  assert.equal(bad!.reading.quality, Quality.RANGE | Quality.EDITED);
  assert.match(bad!.findings[0]!.detail, /13 kWh exceeds 12.5 kWh/);
});

test('range: the limit scales with the interval length', () => {
  // 50 kW over 1 h = 50 kWh.
  const hourly = { intervalSeconds: 3600, receivedAt: T0 + MS.hour };
  const r = applyVee(reading(0, 49, hourly), undefined);
  assert.deepEqual(rules(r), []);
  const s = applyVee(reading(0, 51, hourly), undefined);
  assert.deepEqual(rules(s), ['range']);
});

test('range: non-finite values are invalid, edited to 0 without history', () => {
  for (const v of [NaN, Infinity, -Infinity]) {
    const r = applyVee(reading(0, v), undefined);
    assert.deepEqual(rules(r), ['range']);
    assert.equal(r.reading.value, 0);
    assert.ok(Object.is(r.reading.rawValue, v));
    assert.equal(r.state.lastValue, 0);
    assert.deepEqual(r.state.recent.toArray(), []);
  }
});

test('range: the demand limit is not applied to a voltage channel', () => {
  const r = applyVee(reading(0, 231.4, { obis: OBIS.VOLTAGE_L1, unit: 'V' }), undefined);
  assert.deepEqual(rules(r), []);
});

test('negative: edited to the last value; zero is valid', () => {
  const [, zero, neg] = run([0.8, 0, -0.5]);
  assert.deepEqual(rules(zero!), []);
  assert.deepEqual(rules(neg!), ['negative']);
  assert.equal(neg!.reading.value, 0); // last value was the 0
  assert.equal(neg!.reading.rawValue, -0.5);
  assert.equal(neg!.reading.quality, Quality.NEGATIVE | Quality.EDITED);
});

test('editing uses 0 when the previous reading is older than maxEstimateGapMs', () => {
  const first = applyVee(reading(0, 2), undefined);
  // Slot 5: 4 missing intervals = 60 min of silence, still within the 1 h limit.
  const near = applyVee(reading(5, -1), first.state);
  assert.equal(near.reading.value, 2);
  // Slot 6: 5 missing intervals = 75 min of silence.
  const far = applyVee(reading(6, -1), first.state);
  assert.equal(far.reading.value, 0);
  assert.equal(far.reading.rawValue, -1);
});

test('an edited reading does not feed the spike median and breaks a frozen run', () => {
  const rs = run([0.5, 0.5, -1, 0.5]);
  assert.deepEqual(rs[2]!.state.recent.toArray(), [0.5, 0.5]);
  assert.equal(rs[2]!.state.repeats, 0);
  // 0.5 after the edit (edited value 0.5) would be the 4th equal value, but the run restarted.
  assert.deepEqual(rules(rs[3]!), []);
  assert.equal(rs[3]!.state.repeats, 1);
});

test('spike: over spikeFactor x median of recent values and over spikeMinValue', () => {
  const hit = run([1, 1.2, 0.9, 1, 9])[4]!; // median 1 -> limit 8
  assert.deepEqual(rules(hit), ['spike']);
  assert.equal(hit.reading.value, 9); // kept, only marked
  assert.equal(hit.reading.quality, Quality.SPIKE);
  assert.equal(hit.reading.rawValue, undefined);
  assert.deepEqual(rules(run([1, 1.2, 0.9, 1, 8])[4]!), []); // not strictly above
});

test('spike: needs 4 recent values and an absolute floor', () => {
  assert.deepEqual(rules(run([1, 1, 1, 9])[3]!), []); // only 3 recent values
  // 0.9 is 9x the median 0.1 but not above spikeMinValue 1.0.
  assert.deepEqual(rules(run([0.1, 0.1, 0.1, 0.1, 0.9])[4]!), []);
  // A zero median: anything above the floor is a spike.
  assert.deepEqual(rules(run([0, 0, 0, 0, 1.5])[4]!), ['spike']);
});

test('frozen: the 3rd and later equal non-zero consecutive values are flagged', () => {
  const rs = run([0.7, 0.7, 0.7, 0.7, 0.8]);
  assert.deepEqual(rs.map(rules), [[], [], ['frozen'], ['frozen'], []]);
  assert.equal(rs[3]!.reading.quality, Quality.FROZEN);
  assert.equal(rs[3]!.state.repeats, 4);
  assert.equal(rs[4]!.state.repeats, 1);
});

test('frozen: zeros are not frozen, and a gap breaks the run', () => {
  assert.deepEqual(run([0, 0, 0, 0]).map(rules), [[], [], [], []]);
  const a = applyVee(reading(0, 0.7), undefined);
  const b = applyVee(reading(1, 0.7), a.state);
  const c = applyVee(reading(3, 0.7), b.state); // slot 2 missing
  assert.deepEqual(rules(c), ['gap']);
  assert.equal(c.state.repeats, 1);
});

test('clock drift: misaligned start', () => {
  const r = applyVee(reading(0, 1, { intervalStart: T0 + 60_000 }), undefined);
  assert.deepEqual(rules(r), ['clock_drift']);
  assert.equal(r.reading.quality, Quality.CLOCK_DRIFT);
  assert.match(r.findings[0]!.detail, /not aligned to 900 s/);
});

test('clock drift: interval ending too far after receipt', () => {
  const end = T0 + Q;
  const atLimit = applyVee(reading(0, 1, { receivedAt: end - 300_000 }), undefined);
  assert.deepEqual(rules(atLimit), []);
  const ahead = applyVee(reading(0, 1, { receivedAt: end - 300_001 }), undefined);
  assert.deepEqual(rules(ahead), ['clock_drift']);
  // Both problems at once give two findings but one flag.
  const both = applyVee(reading(0, 1, { intervalStart: T0 + 1, receivedAt: T0 }), undefined);
  assert.deepEqual(rules(both), ['clock_drift', 'clock_drift']);
  assert.equal(both.reading.quality, Quality.CLOCK_DRIFT);
});

test('clock drift: a non-positive interval length is reported, not divided by', () => {
  const r = applyVee(reading(0, 1, { intervalSeconds: 0 }), undefined);
  assert.deepEqual(rules(r), ['clock_drift']);
  assert.match(r.findings[0]!.detail, /not positive/);
});
