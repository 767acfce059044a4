import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MS, OBIS, Quality } from './readings.ts';
import { applyVee, DEFAULT_VEE, type SeriesState } from './vee.ts';
import { plain, Q, reading, rules, run, T0 } from './vee-test-helpers.ts';

test('duplicate: same interval start is flagged and leaves the state alone', () => {
  const a = applyVee(reading(0, 1), undefined);
  const d = applyVee(reading(0, 1.5), a.state);
  assert.deepEqual(rules(d), ['duplicate']);
  assert.equal(d.reading.quality, Quality.DUPLICATE);
  assert.equal(d.reading.value, 1.5);
  assert.match(d.findings[0]!.detail, /with 1.5, first value was 1/);
  assert.equal(d.state, a.state); // unchanged: states are values, handed back as they came
  const same = applyVee(reading(0, 1), a.state);
  assert.match(same.findings[0]!.detail, /same value/);
});

test('out of order: only stateless checks, state unchanged, no gap', () => {
  const a = applyVee(reading(4, 1), undefined);
  const late = applyVee(reading(1, 1), a.state);
  assert.deepEqual(rules(late), []);
  assert.deepEqual(late.estimates, []);
  assert.deepEqual(late.state, a.state);
  const lateBad = applyVee(reading(2, -3), a.state);
  assert.deepEqual(rules(lateBad), ['negative']);
  assert.equal(lateBad.reading.value, 1); // slot 3 between them: 15 min of silence
  assert.deepEqual(lateBad.state, a.state);
});

test('gap: 2 missing slots between 1.0 and 4.0 are estimated as 2.0 and 3.0', () => {
  const a = applyVee(reading(0, 1.0), undefined);
  const g = applyVee(reading(3, 4.0), a.state);
  assert.deepEqual(rules(g), ['gap']);
  assert.equal(g.findings[0]!.intervalStart, T0 + Q);
  assert.match(g.findings[0]!.detail, /^2 missing intervals/);
  const base = { meterId: 'MTR-1', customerId: 'CUST-1', obis: OBIS.ACTIVE_IMPORT, intervalSeconds: 900 };
  assert.equal(g.estimates[0]!.eventId, undefined);
  assert.equal('rawValue' in g.estimates[0]!, false);
  assert.deepEqual(g.estimates, [
    {
      ...base,
      intervalStart: T0 + Q,
      value: 2,
      unit: 'kWh',
      quality: Quality.ESTIMATED,
      receivedAt: g.reading.receivedAt,
    },
    {
      ...base,
      intervalStart: T0 + 2 * Q,
      value: 3,
      unit: 'kWh',
      quality: Quality.ESTIMATED,
      receivedAt: g.reading.receivedAt,
    },
  ]);
  assert.equal(g.state.lastStart, T0 + 3 * Q);
  assert.deepEqual(g.state.recent.toArray(), [1, 4]); // estimates are not measurements
});

test('gap: a span at maxEstimateGapMs is estimated, a longer one only reported', () => {
  const a = applyVee(reading(0, 0), undefined);
  const four = applyVee(reading(5, 5), a.state); // 4 missing = 60 min
  assert.deepEqual(
    four.estimates.map((e) => e.value),
    [1, 2, 3, 4],
  );
  const five = applyVee(reading(6, 6), a.state); // 5 missing = 75 min
  assert.deepEqual(rules(five), ['gap']);
  assert.deepEqual(five.estimates, []);
  assert.match(five.findings[0]!.detail, /^5 missing intervals.*not estimated/);
});

test('gap: estimates interpolate towards the edited value of an invalid reading', () => {
  const a = applyVee(reading(0, 2), undefined);
  const g = applyVee(reading(2, 99), a.state); // range -> edited to 2
  assert.deepEqual(rules(g), ['range', 'gap']);
  assert.deepEqual(
    g.estimates.map((e) => e.value),
    [2],
  );
});

test('no gap between back-to-back readings and no estimates', () => {
  const [, b] = run([1, 2]);
  assert.deepEqual(b!.estimates, []);
  assert.deepEqual(rules(b!), []);
});

test('an interval length change restarts the series instead of reporting a gap', () => {
  const a = applyVee(reading(0, 1), undefined);
  const b = applyVee(reading(4, 4, { intervalSeconds: 3600, receivedAt: T0 + 2 * MS.hour }), a.state);
  assert.deepEqual(rules(b), []);
  assert.deepEqual(plain(b.state), {
    lastStart: T0 + MS.hour,
    lastValue: 4,
    intervalSeconds: 3600,
    repeats: 1,
    recent: [4],
  });
});

test('recent values are capped at recentWindow, newest last', () => {
  let state: SeriesState | undefined;
  const cfg = { ...DEFAULT_VEE, recentWindow: 3 };
  for (let i = 0; i < 5; i++) state = applyVee(reading(i, i + 1), state, cfg).state;
  assert.deepEqual(state!.recent.toArray(), [3, 4, 5]);
});

test('existing quality bits are kept', () => {
  const r = applyVee(reading(0, -1, { quality: Quality.LAST_GASP }), undefined);
  assert.equal(r.reading.quality, Quality.LAST_GASP | Quality.NEGATIVE | Quality.EDITED);
});

test('inputs are never mutated', () => {
  const a = applyVee(reading(0, 1), undefined);
  const state = plain(a.state);
  const input = Object.freeze(reading(3, 500));
  Object.freeze(a.state);
  const r = applyVee(input, a.state);
  applyVee(reading(1, 2), a.state); // the same state met twice, as when a batch is replayed
  assert.deepEqual(plain(a.state), state);
  assert.equal(input.value, 500);
  assert.notEqual(r.reading, input);
  assert.deepEqual(r.state.recent.toArray(), [1]); // 500 is a range error: edited, not recent
  assert.deepEqual(applyVee(reading(1, 2), a.state).state.recent.toArray(), [1, 2]);
});

test('property: after VEE every kWh value is finite, in range and non-negative', () => {
  const limit = DEFAULT_VEE.maxKw * 0.25;
  const value = fc.oneof(
    fc.double({ min: -20, max: 40, noNaN: true }),
    fc.constantFrom(NaN, Infinity, -Infinity, 0),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), value), { maxLength: 40 }), (steps) => {
      let state: SeriesState | undefined;
      for (const [slot, v] of steps) {
        const r = applyVee(reading(slot, v), state);
        for (const out of [r.reading, ...r.estimates]) {
          assert.ok(Number.isFinite(out.value) && out.value >= 0 && out.value <= limit, `${out.value}`);
        }
        state = r.state;
      }
    }),
  );
});
